package dev.idem.servlet;

import dev.idem.ResultCodec;
import dev.idem.ResultCodecException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A response as stored for replay: status, allow-listed headers and body; or, when the body was too large to
 * keep, only the fact that a response of {@code originalSize} bytes was sent. Immutable.
 */
record StoredResponse(int status, List<Map.Entry<String, String>> headers, byte[] body, boolean stored,
                        long originalSize) {

    static StoredResponse notStored(int status, long originalSize) {
        return new StoredResponse(status, List.of(), new byte[0], false, originalSize);
    }

    /**
     * Whether the handler's own writes commit with this response (transactional mode): only for a success. A stored
     * 4xx keeps its record, so retries get the same answer, but not the writes of a handler that refused.
     */
    boolean keepsWrites() {
        return status < 400;
    }

    /** The binary form kept by the store (content type {@code application/vnd.idem.http-response.v1}). */
    static final class Codec implements ResultCodec {

        private static final int VERSION = 1;

        @Override
        public String contentType() {
            return "application/vnd.idem.http-response.v1";
        }

        @Override
        public byte[] encode(Object value, Type type) {
            StoredResponse r = (StoredResponse) value;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(r.body().length + 128);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(VERSION);
                out.writeShort(r.status());
                out.writeBoolean(r.stored());
                out.writeLong(r.originalSize());
                out.writeShort(r.headers().size());
                for (Map.Entry<String, String> h : r.headers()) {
                    writeString(out, h.getKey());
                    writeString(out, h.getValue());
                }
                out.writeInt(r.body().length);
                out.write(r.body());
            } catch (IOException e) {
                throw new ResultCodecException("could not encode a captured response", e);
            }
            return bytes.toByteArray();
        }

        @Override
        public Object decode(byte[] encoded, Type type) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
                int version = in.readUnsignedByte();
                if (version != VERSION) {
                    throw new ResultCodecException("unknown stored response format version " + version);
                }
                int status = in.readUnsignedShort();
                boolean stored = in.readBoolean();
                long originalSize = in.readLong();
                int headerCount = in.readUnsignedShort();
                List<Map.Entry<String, String>> headers = new java.util.ArrayList<>(headerCount);
                for (int i = 0; i < headerCount; i++) {
                    headers.add(Map.entry(readString(in), readString(in)));
                }
                byte[] body = in.readNBytes(in.readInt());
                return new StoredResponse(status, List.copyOf(headers), body, stored, originalSize);
            } catch (IOException e) {
                throw new ResultCodecException("corrupt stored response", e);
            }
        }

        private static void writeString(DataOutputStream out, String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }

        private static String readString(DataInputStream in) throws IOException {
            return new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        }
    }
}
