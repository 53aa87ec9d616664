package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SimpleResultCodecTest {

    private final SimpleResultCodec codec = new SimpleResultCodec();

    static Stream<Arguments> supportedValues() {
        return Stream.of(
                Arguments.of("plain text", String.class),
                Arguments.of("", String.class),
                Arguments.of("caf\u00e9 \u20ac \uD83D\uDE00", String.class),
                Arguments.of(Boolean.TRUE, Boolean.class),
                Arguments.of(Boolean.FALSE, boolean.class),
                Arguments.of(Integer.MIN_VALUE, Integer.class),
                Arguments.of(42, int.class),
                Arguments.of(Long.MAX_VALUE, Long.class),
                Arguments.of(-7L, long.class),
                Arguments.of(3.141592653589793, Double.class),
                Arguments.of(-0.0, double.class),
                Arguments.of(Double.NaN, Double.class),
                Arguments.of(Double.POSITIVE_INFINITY, Double.class),
                Arguments.of("untyped", Object.class));
    }

    @ParameterizedTest
    @MethodSource("supportedValues")
    void supportedValuesRoundTrip(Object value, Class<?> type) {
        // when
        Object decoded = codec.decode(codec.encode(value, type), type);

        // then
        assertThat(decoded).isEqualTo(value);
    }

    @Test
    void bytesRoundTrip() {
        // given
        byte[] value = {0, 1, 2, (byte) 0xFF, 127};

        // when
        Object decoded = codec.decode(codec.encode(value, byte[].class), byte[].class);

        // then
        assertThat(decoded).isInstanceOf(byte[].class);
        assertThat((byte[]) decoded).containsExactly(value);
    }

    @Test
    void nullRoundTripsForAnyType() {
        assertThat(codec.decode(codec.encode(null, Void.class), Void.class)).isNull();
        assertThat(codec.decode(codec.encode(null, String.class), String.class)).isNull();
    }

    @Test
    void unsupportedTypeIsRejectedPointingToIdemJackson() {
        assertThatThrownBy(() -> codec.encode(Instant.EPOCH, Instant.class))
                .isInstanceOf(ResultCodecException.class)
                .hasMessageContaining("java.time.Instant")
                .hasMessageContaining("idem-jackson");
        assertThatThrownBy(() -> codec.encode(List.of("a"), List.class))
                .isInstanceOf(ResultCodecException.class)
                .hasMessageContaining("idem-jackson");
    }

    @Test
    void decodingIntoTheWrongTypeIsRejected() {
        // given
        byte[] encoded = codec.encode("text", String.class);

        // when / then
        assertThatThrownBy(() -> codec.decode(encoded, Integer.class))
                .isInstanceOf(ResultCodecException.class)
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("java.lang.Integer");
    }

    @Test
    void emptyOrUnknownBytesAreRejected() {
        assertThatThrownBy(() -> codec.decode(new byte[0], String.class))
                .isInstanceOf(ResultCodecException.class);
        assertThatThrownBy(() -> codec.decode(new byte[] {99, 'x'}, String.class))
                .isInstanceOf(ResultCodecException.class)
                .hasMessageContaining("tag");
    }

    @Test
    void contentTypeIsVersioned() {
        assertThat(codec.contentType()).isEqualTo("application/vnd.idem.simple.v1");
    }
}
