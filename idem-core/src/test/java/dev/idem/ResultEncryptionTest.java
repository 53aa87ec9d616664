package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultEncryptionTest {

    private static final byte[] K1 = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] K2 = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private static final String SECRET = "{\"token\":\"alice-session-4f3a\",\"email\":\"alice@example.com\"}";

    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

    private Idempotency engine(ResultEncryption encryption) {
        return Idempotency.builder(store).config(IdempotencyConfig.builder().encryption(encryption).build()).build();
    }

    private static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder("signup").scope("alice").key(key)
                .payload("{}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private byte[] storedBody(String key) {
        StoredRecord record = store.find(new RecordId("alice", "signup", key), Instant.now()).orElseThrow();
        return record.result().body();
    }

    @Test
    void theStoreNeverHoldsThePlaintextAndTheRetryGetsItBack() {
        try (Idempotency idem = engine(ResultEncryption.aesGcm("k1", Map.of("k1", K1)))) {
            String first = idem.execute(request("e1"), String.class, () -> SECRET);
            IdempotentOutcome<String> retry = idem.executeForOutcome(request("e1"), String.class, () -> "ran again");

            assertThat(first).isEqualTo(SECRET);
            assertThat(retry.replayed()).isTrue();
            assertThat(retry.value()).isEqualTo(SECRET);
            String stored = new String(storedBody("e1"), StandardCharsets.ISO_8859_1);
            assertThat(stored).doesNotContain("alice-session-4f3a").doesNotContain("alice@example.com")
                    .contains("k1"); // the key id travels with the record
        }
    }

    @Test
    void aResultWrittenUnderTheOldKeyStillReplaysAfterRotation() {
        try (Idempotency before = engine(ResultEncryption.aesGcm("k1", Map.of("k1", K1)))) {
            before.execute(request("e2"), String.class, () -> SECRET);
        }
        try (Idempotency after = engine(ResultEncryption.aesGcm("k2", Map.of("k1", K1, "k2", K2)))) {
            assertThat(after.execute(request("e2"), String.class, () -> "ran again")).isEqualTo(SECRET);
            after.execute(request("e3"), String.class, () -> SECRET);
            assertThat(new String(storedBody("e3"), StandardCharsets.ISO_8859_1)).contains("k2");
        }
    }

    @Test
    void aWrongKeyOrARetiredOneIsAClearErrorNotGarbage() {
        try (Idempotency writer = engine(ResultEncryption.aesGcm("k1", Map.of("k1", K1)))) {
            writer.execute(request("e4"), String.class, () -> SECRET);
        }
        try (Idempotency wrongKey = engine(ResultEncryption.aesGcm("k1", Map.of("k1", K2)))) {
            assertThatThrownBy(() -> wrongKey.execute(request("e4"), String.class, () -> "x"))
                    .isInstanceOf(ResultCodecException.class)
                    .hasMessageContaining("key 'k1'").hasMessageContaining("not the one that encrypted it");
        }
        try (Idempotency retired = engine(ResultEncryption.aesGcm("k2", Map.of("k2", K2)))) {
            assertThatThrownBy(() -> retired.execute(request("e4"), String.class, () -> "x"))
                    .isInstanceOf(ResultCodecException.class).hasMessageContaining("'k1', which is not among");
        }
        try (Idempotency none = engine(null)) {
            assertThatThrownBy(() -> none.execute(request("e4"), String.class, () -> "x"))
                    .isInstanceOf(ResultCodecException.class).hasMessageContaining("no encryption keys");
        }
    }

    @Test
    void aSealedResultOpensOnlyInTheRecordItWasWrittenFor() {
        ResultEncryption encryption = ResultEncryption.aesGcm("k1", Map.of("k1", K1));
        byte[] sealed = encryption.seal(SECRET.getBytes(StandardCharsets.UTF_8), new RecordId("alice", "signup", "e5"));

        assertThatThrownBy(() -> encryption.open(sealed, new RecordId("mallory", "signup", "e5")))
                .isInstanceOf(ResultCodecException.class);
        assertThat(new String(encryption.open(sealed, new RecordId("alice", "signup", "e5")), StandardCharsets.UTF_8))
                .isEqualTo(SECRET);
    }

    @Test
    void resultsStoredBeforeEncryptionWasSwitchedOnStillReplay() {
        try (Idempotency plain = engine(null)) {
            plain.execute(request("e6"), String.class, () -> SECRET);
        }
        try (Idempotency encrypted = engine(ResultEncryption.aesGcm("k1", Map.of("k1", K1)))) {
            assertThat(encrypted.execute(request("e6"), String.class, () -> "x")).isEqualTo(SECRET);
        }
    }

    @Test
    void badKeysAreRefusedWhenTheRingIsBuilt() {
        assertThatThrownBy(() -> ResultEncryption.aesGcm("k1", Map.of("k1", new byte[10])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16, 24 or 32");
        assertThatThrownBy(() -> ResultEncryption.aesGcm("k9", Map.of("k1", K1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("current key 'k9'");
        assertThatThrownBy(() -> ResultEncryption.aesGcm("k 1", Map.of("k 1", K1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("printable ASCII");
    }
}
