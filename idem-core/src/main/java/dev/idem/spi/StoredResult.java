package dev.idem.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * An encoded action result as the store keeps it: opaque bytes plus the content type of the codec
 * that wrote them. Immutable: the byte array is copied in and out.
 */
public final class StoredResult {

    private final byte[] body;
    private final String contentType;

    public StoredResult(byte[] body, String contentType) {
        this.body = Objects.requireNonNull(body, "body").clone();
        this.contentType = Objects.requireNonNull(contentType, "contentType");
    }

    /** A copy of the encoded bytes. */
    public byte[] body() {
        return body.clone();
    }

    /** Number of encoded bytes, without copying them. */
    public int size() {
        return body.length;
    }

    public String contentType() {
        return contentType;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResult other
                && contentType.equals(other.contentType)
                && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return 31 * contentType.hashCode() + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "StoredResult[" + contentType + ", " + body.length + " bytes]";
    }
}
