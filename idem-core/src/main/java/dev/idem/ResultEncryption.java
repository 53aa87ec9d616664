package dev.idem;

import dev.idem.spi.RecordId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of stored results (an HTTP response can hold a token or personal data): AES-GCM with the JDK's
 * own provider, a fresh 96-bit nonce per record, and the record's (scope, action, key) as associated data, so a sealed
 * result opens only in the record it was written for. The id of the key that sealed a result is stored with it, so
 * keys can rotate: results are sealed with the current key and opened with whichever key of the ring sealed them.
 * Results stored before encryption was switched on still replay. Set it with
 * {@link IdempotencyConfig.Builder#encryption}. Immutable and thread-safe.
 */
public final class ResultEncryption {

    private static final byte[] MAGIC = "IDEMGCM1".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys;

    private ResultEncryption(String currentKeyId, Map<String, SecretKeySpec> keys) {
        this.currentKeyId = currentKeyId;
        this.keys = keys;
    }

    /**
     * AES-GCM over a key ring.
     *
     * @param currentKeyId the key new results are sealed with; it must be in {@code keys}
     * @param keys         key id (1-64 printable ASCII characters) to raw AES key (16, 24 or 32 bytes); keep retired
     *                     keys here as long as results they sealed may still be replayed (the TTL)
     * @throws IllegalArgumentException naming the first invalid key id or key
     */
    public static ResultEncryption aesGcm(String currentKeyId, Map<String, byte[]> keys) {
        Objects.requireNonNull(keys, "keys");
        Map<String, SecretKeySpec> ring = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> key : keys.entrySet()) {
            String id = key.getKey();
            if (id == null || id.isEmpty() || id.length() > 64 || !id.chars().allMatch(c -> c >= 0x21 && c <= 0x7E)) {
                throw new IllegalArgumentException("a key id must be 1-64 printable ASCII characters, got '" + id + "'");
            }
            byte[] raw = Objects.requireNonNull(key.getValue(), "key " + id);
            if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
                throw new IllegalArgumentException("key '" + id + "' has " + raw.length
                        + " bytes; an AES key has 16, 24 or 32");
            }
            ring.put(id, new SecretKeySpec(raw.clone(), "AES"));
        }
        if (!ring.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("the current key '" + currentKeyId + "' is not among the keys "
                    + ring.keySet());
        }
        return new ResultEncryption(currentKeyId, Map.copyOf(ring));
    }

    /** The id of the key new results are sealed with. */
    public String currentKeyId() {
        return currentKeyId;
    }

    /** Whether {@code stored} is a sealed result (else it was stored in plain, before encryption was on). */
    static boolean isSealed(byte[] stored) {
        return stored.length > MAGIC.length && Arrays.equals(stored, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** Seals {@code plain} for the record {@code id} with the current key. */
    byte[] seal(byte[] plain, RecordId id) {
        byte[] keyId = currentKeyId.getBytes(StandardCharsets.US_ASCII);
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(id));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(MAGIC.length + 1 + keyId.length + NONCE_BYTES + sealed.length)
                    .put(MAGIC).put((byte) keyId.length).put(keyId).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new ResultCodecException("could not encrypt the result of " + id, e);
        }
    }

    /**
     * Opens a result {@link #seal} made for the record {@code id}.
     *
     * @throws ResultCodecException when its key is not in the ring, or the key or data is wrong (never garbage)
     */
    byte[] open(byte[] stored, RecordId id) {
        ByteBuffer in = ByteBuffer.wrap(stored);
        in.position(MAGIC.length);
        int keyIdLength = Byte.toUnsignedInt(in.get());
        if (in.remaining() < keyIdLength + NONCE_BYTES + TAG_BITS / 8) {
            throw new ResultCodecException("the encrypted result of " + id + " is truncated");
        }
        byte[] keyIdBytes = new byte[keyIdLength];
        in.get(keyIdBytes);
        String keyId = new String(keyIdBytes, StandardCharsets.US_ASCII);
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new ResultCodecException("the result of " + id + " was encrypted with key '" + keyId
                    + "', which is not among the configured keys " + keys.keySet());
        }
        byte[] nonce = new byte[NONCE_BYTES];
        in.get(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(id));
            return cipher.doFinal(stored, in.position(), in.remaining());
        } catch (AEADBadTagException e) {
            throw new ResultCodecException("could not decrypt the result of " + id + " with key '" + keyId
                    + "': the key is not the one that encrypted it, or the stored data was altered", e);
        } catch (GeneralSecurityException e) {
            throw new ResultCodecException("could not decrypt the result of " + id, e);
        }
    }

    private static byte[] associatedData(RecordId id) {
        return (id.scope() + '\u0000' + id.action() + '\u0000' + id.key()).getBytes(StandardCharsets.UTF_8);
    }
}
