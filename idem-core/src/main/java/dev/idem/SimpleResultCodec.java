package dev.idem;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * A dependency-free codec for {@code null}/{@link Void}, {@link String}, {@code byte[]}, {@link Boolean},
 * {@link Integer}, {@link Long} and {@link Double}. Anything else fails with a {@link ResultCodecException}
 * that names a real codec to use instead. Thread-safe.
 */
public final class SimpleResultCodec implements ResultCodec {

    private static final String CONTENT_TYPE = "application/vnd.idem.simple.v1";
    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte BYTES = 2;
    private static final byte BOOLEAN = 3;
    private static final byte INT = 4;
    private static final byte LONG = 5;
    private static final byte DOUBLE = 6;

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    public byte[] encode(Object value, Type type) {
        if (value == null) {
            return new byte[] {NULL};
        }
        if (value instanceof String s) {
            return tagged(STRING, s.getBytes(StandardCharsets.UTF_8));
        }
        if (value instanceof byte[] b) {
            return tagged(BYTES, b);
        }
        if (value instanceof Boolean || value instanceof Integer || value instanceof Long || value instanceof Double) {
            byte tag = value instanceof Boolean ? BOOLEAN : value instanceof Integer ? INT : value instanceof Long ? LONG : DOUBLE;
            return tagged(tag, value.toString().getBytes(StandardCharsets.US_ASCII));
        }
        throw new ResultCodecException("SimpleResultCodec cannot encode " + value.getClass().getName()
                + "; configure a codec for it, e.g. dev.idem.jackson.JacksonResultCodec from idem-jackson");
    }

    @Override
    public Object decode(byte[] bytes, Type type) {
        if (bytes.length == 0) {
            throw new ResultCodecException("empty stored result");
        }
        String text = new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
        Object value;
        switch (bytes[0]) {
            case NULL -> value = null;
            case STRING -> value = text;
            case BYTES -> value = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
            case BOOLEAN -> value = Boolean.valueOf(text);
            case INT -> value = Integer.valueOf(text);
            case LONG -> value = Long.valueOf(text);
            case DOUBLE -> value = Double.valueOf(text);
            default -> throw new ResultCodecException("unknown stored result tag " + bytes[0]);
        }
        if (value != null && type instanceof Class<?> c && c != Object.class && !wrap(c).isInstance(value)) {
            throw new ResultCodecException("stored result is a " + value.getClass().getName() + ", not a " + c.getName());
        }
        return value;
    }

    private static Class<?> wrap(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        return c == boolean.class ? Boolean.class : c == int.class ? Integer.class : c == long.class ? Long.class
                : c == double.class ? Double.class : c;
    }

    private static byte[] tagged(byte tag, byte[] payload) {
        byte[] out = new byte[payload.length + 1];
        out[0] = tag;
        System.arraycopy(payload, 0, out, 1, payload.length);
        return out;
    }
}
