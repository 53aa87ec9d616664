package dev.idem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {

    @Test
    void randomKeysAreVersion4UuidsAndDoNotRepeat() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String key = IdempotencyKeys.random();
            assertThat(key).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            keys.add(key);
        }
        assertThat(keys).hasSize(10_000);
    }

    @Test
    void theHeaderValueIsAQuotedStructuredFieldStringThatParsesBackToTheKey() {
        assertThat(IdempotencyKeys.headerValue("abc-1")).isEqualTo("\"abc-1\"");
        assertThat(IdempotencyKeys.headerValue("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(IdempotencyKeys.fromHeaderValue(IdempotencyKeys.headerValue("a\"b\\c"))).isEqualTo("a\"b\\c");
        assertThat(IdempotencyKeys.fromHeaderValue("bare-token")).isEqualTo("bare-token");
        assertThat(IdempotencyKeys.fromHeaderValue(" \"spaced\" ")).isEqualTo("spaced");
    }

    @Test
    void invalidKeysAreRefusedWithTheReason() {
        assertThatThrownBy(() -> IdempotencyKeys.headerValue("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> IdempotencyKeys.headerValue("x".repeat(256))).hasMessageContaining("at most 255");
        assertThatThrownBy(() -> IdempotencyKeys.headerValue("caf\u00e9")).hasMessageContaining("U+00E9");
        assertThatThrownBy(() -> IdempotencyKeys.headerValue("tab\there")).hasMessageContaining("U+0009");
        assertThatThrownBy(() -> IdempotencyKeys.fromHeaderValue("\"a\"b\"")).hasMessageContaining("unescaped");
        assertThatThrownBy(() -> IdempotencyKeys.fromHeaderValue("\"\"")).hasMessageContaining("empty");
    }
}
