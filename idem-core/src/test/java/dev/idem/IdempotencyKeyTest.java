package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "123e4567-e89b-12d3-a456-426614174000", "order:42/retry#1", "!~", "ABC_def.-+=*"})
    void printableAsciiKeysAreAccepted(String raw) {
        // when
        IdempotencyKey key = IdempotencyKey.of(raw);

        // then
        assertThat(key.value()).isEqualTo(raw);
        assertThat(key).hasToString(raw);
    }

    @Test
    void keyOfExactlyTheDefaultMaximumIsAccepted() {
        // given
        String raw = "k".repeat(IdempotencyKey.DEFAULT_MAX_LENGTH);

        // when / then
        assertThat(IdempotencyKey.of(raw).value()).hasSize(255);
    }

    @Test
    void emptyKeyIsRejected() {
        assertThatThrownBy(() -> IdempotencyKey.of(""))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void nullKeyIsRejected() {
        assertThatThrownBy(() -> IdempotencyKey.of(null))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void keyLongerThanTheDefaultMaximumIsRejected() {
        // given
        String raw = "k".repeat(256);

        // when / then
        assertThatThrownBy(() -> IdempotencyKey.of(raw))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("256 characters")
                .hasMessageContaining("at most 255");
    }

    @Test
    void keyLongerThanACustomMaximumIsRejected() {
        // given
        String raw = "k".repeat(11);

        // when / then
        assertThat(IdempotencyKey.of("k".repeat(10), 10).value()).hasSize(10);
        assertThatThrownBy(() -> IdempotencyKey.of(raw, 10))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("11 characters")
                .hasMessageContaining("at most 10");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc\u0000", "abc\n", "a\tb", "\u001Fx", "a\rb"})
    void controlCharactersAreRejected(String raw) {
        assertThatThrownBy(() -> IdempotencyKey.of(raw))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("printable ASCII")
                .hasMessageContaining("at index");
    }

    @Test
    void spaceIsRejectedWithItsIndex() {
        assertThatThrownBy(() -> IdempotencyKey.of("two words"))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("printable ASCII (0x21-0x7E)")
                .hasMessageContaining("at index 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"caf\u00e9", "key-\u20ac", "\uD83D\uDE00", "\u00a0nbsp"})
    void nonAsciiCharactersAreRejected(String raw) {
        assertThatThrownBy(() -> IdempotencyKey.of(raw))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("printable ASCII");
    }

    @Test
    void delCharacterIsRejected() {
        assertThatThrownBy(() -> IdempotencyKey.of("abc\u007F"))
                .isInstanceOf(InvalidIdempotencyKeyException.class)
                .hasMessageContaining("printable ASCII")
                .hasMessageContaining("at index 3");
    }

    @Test
    void constructorValidatesCharactersToo() {
        assertThatThrownBy(() -> new IdempotencyKey("bad key"))
                .isInstanceOf(InvalidIdempotencyKeyException.class);
    }

    @Test
    void invalidKeyExceptionIsAnIdempotencyException() {
        assertThatThrownBy(() -> IdempotencyKey.of(""))
                .isInstanceOf(IdempotencyException.class);
    }
}
