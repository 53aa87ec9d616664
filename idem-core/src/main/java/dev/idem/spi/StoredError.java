package dev.idem.spi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A deterministic error as the store keeps it, so every retry can be given the same typed error.
 * Immutable and thread-safe. {@link #encode()} and {@link #decode(byte[])} give a compact, versioned
 * binary form for stores that keep one byte column.
 *
 * @param type    the fully qualified class name of the original exception
 * @param code    a stable machine-readable code (e.g. {@code NOT_FOUND}); never null
 * @param message the human message; may be null
 * @param details extra key/value context, in sorted order; never null
 */
public record StoredError(String type, String code, String message, Map<String, String> details) {

    /** Content type stores may use to tell an encoded error apart from an encoded result. */
    public static final String CONTENT_TYPE = "application/vnd.idem.error.v1";

    private static final int FORMAT_VERSION = 1;

    public StoredError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(code, "code");
        details = details == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(details));
    }

    /** The compact binary form: version, type, code, message, details. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            writeString(out, type);
            writeString(out, code);
            out.writeBoolean(message != null);
            if (message != null) {
                writeString(out, message);
            }
            out.writeInt(details.size());
            for (Map.Entry<String, String> e : details.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen with an in-memory stream", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads the form written by {@link #encode()}.
     *
     * @throws IllegalArgumentException if the bytes are not a stored error of a known version
     */
    public static StoredError decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown stored error format version " + version);
            }
            String type = readString(in);
            String code = readString(in);
            String message = in.readBoolean() ? readString(in) : null;
            int count = in.readInt();
            if (count < 0 || count > 10_000) {
                throw new IllegalArgumentException("corrupt stored error: " + count + " details");
            }
            Map<String, String> details = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                details.put(readString(in), readString(in));
            }
            return new StoredError(type, code, message, details);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt stored error", e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 16 * 1024 * 1024) {
            throw new IOException("corrupt string length " + length);
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("truncated string: " + bytes.length + " of " + length + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
