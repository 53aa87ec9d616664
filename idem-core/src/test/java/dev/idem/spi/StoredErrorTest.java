package dev.idem.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredErrorTest {

    @Test
    void encodedErrorDecodesToAnEqualError() {
        // given
        StoredError error = new StoredError("com.example.DeclinedException", "CARD_DECLINED", "card was declined",
                Map.of("reason", "insufficient_funds", "last4", "4242", "note", "caf\u00e9"));

        // when
        StoredError decoded = StoredError.decode(error.encode());

        // then
        assertThat(decoded).isEqualTo(error);
        assertThat(decoded.details()).containsExactly(
                Map.entry("last4", "4242"), Map.entry("note", "caf\u00e9"), Map.entry("reason", "insufficient_funds"));
    }

    @Test
    void nullMessageAndNullDetailsRoundTrip() {
        // given
        StoredError error = new StoredError("com.example.Boom", "BOOM", null, null);

        // when
        StoredError decoded = StoredError.decode(error.encode());

        // then
        assertThat(decoded.message()).isNull();
        assertThat(decoded.details()).isEmpty();
        assertThat(decoded).isEqualTo(error);
    }

    @Test
    void emptyStringsRoundTrip() {
        StoredError error = new StoredError("T", "C", "", Map.of("", ""));

        assertThat(StoredError.decode(error.encode())).isEqualTo(error);
    }

    @Test
    void detailsAreSortedAndUnmodifiable() {
        // when
        StoredError error = new StoredError("T", "C", "m", Map.of("b", "2", "a", "1"));

        // then
        assertThat(error.details().keySet()).containsExactly("a", "b");
        assertThatThrownBy(() -> error.details().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void emptyBytesAreRejected() {
        assertThatThrownBy(() -> StoredError.decode(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt");
    }

    @Test
    void unknownFormatVersionIsRejected() {
        // given
        byte[] encoded = new StoredError("T", "C", "m", Map.of()).encode();
        encoded[0] = 9;

        // when / then
        assertThatThrownBy(() -> StoredError.decode(encoded))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void everyTruncationOfAnEncodedErrorIsRejected() {
        // given
        byte[] encoded = new StoredError("com.example.X", "CODE", "message", Map.of("k", "value")).encode();

        // when / then
        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThat(catchThrowable(() -> StoredError.decode(truncated)))
                    .as("decode of the first %d of %d bytes", length, encoded.length)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void corruptLengthsAreRejected() {
        // given: version 1, then a type string claiming a negative length
        byte[] negativeLength = {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

        // when / then
        assertThatThrownBy(() -> StoredError.decode(negativeLength))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt");
    }

    @Test
    void corruptDetailCountIsRejected() {
        // given: an error without details whose trailing detail count is overwritten with -1
        byte[] encoded = new StoredError("T", "C", null, Map.of()).encode();
        for (int i = encoded.length - 4; i < encoded.length; i++) {
            encoded[i] = (byte) 0xFF;
        }

        // when / then
        assertThatThrownBy(() -> StoredError.decode(encoded))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("details");
    }

    @Test
    void typeAndCodeAreRequired() {
        assertThatThrownBy(() -> new StoredError(null, "C", "m", Map.of())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new StoredError("T", null, "m", Map.of())).isInstanceOf(NullPointerException.class);
    }
}
