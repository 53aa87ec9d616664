package dev.idem.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FingerprintTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void samePayloadGivesTheSameFingerprint() {
        assertThat(Fingerprint.of(utf8("{\"amount\":10}"))).isEqualTo(Fingerprint.of(utf8("{\"amount\":10}")));
    }

    @Test
    void fingerprintIsTheSha256OfThePayload() {
        assertThat(Fingerprint.of(utf8("abc")).hex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Fingerprint.EMPTY.hex())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void differentPayloadsGiveDifferentFingerprints() {
        assertThat(Fingerprint.of(utf8("a"))).isNotEqualTo(Fingerprint.of(utf8("b")));
    }

    @Test
    void partsAreLengthPrefixedSoTheirBoundariesMatter() {
        // when
        Fingerprint abC = Fingerprint.ofStrings("ab", "c");
        Fingerprint aBc = Fingerprint.ofStrings("a", "bc");

        // then
        assertThat(abC).isNotEqualTo(aBc);
        assertThat(Fingerprint.ofStrings("abc")).isNotEqualTo(Fingerprint.of(utf8("abc")));
    }

    @Test
    void ofStringsEqualsOfPartsOverUtf8() {
        assertThat(Fingerprint.ofStrings("POST", "/orders", "caf\u00e9"))
                .isEqualTo(Fingerprint.ofParts(utf8("POST"), utf8("/orders"), utf8("caf\u00e9")))
                .isEqualTo(Fingerprint.ofStrings("POST", "/orders", "caf\u00e9"));
    }

    @Test
    void base64UrlIs43UnpaddedUrlSafeCharacters() {
        // when
        String encoded = Fingerprint.of(utf8("anything")).base64Url();

        // then
        assertThat(encoded).hasSize(43).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void malformedHexIsRejected() {
        assertThatThrownBy(() -> new Fingerprint("ABC"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 lower-case hex");
        assertThatThrownBy(() -> new Fingerprint("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"))
                .isInstanceOf(IllegalArgumentException.class);
        String valid = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        for (String bad : new String[] {valid + "0", valid.substring(1), valid.substring(1) + "g",
                valid.substring(1) + "/", valid.substring(1) + ":", valid.substring(1) + "`", valid.substring(1) + " "}) {
            assertThatThrownBy(() -> new Fingerprint(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(new Fingerprint(valid).hex()).isEqualTo(valid);
    }

    @Test
    void toStringNamesTheAlgorithm() {
        assertThat(Fingerprint.EMPTY.toString()).startsWith("sha256:");
    }
}
