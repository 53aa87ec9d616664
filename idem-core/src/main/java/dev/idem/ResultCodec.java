package dev.idem;

import java.lang.reflect.Type;

/**
 * Turns action results into bytes for the store and back for replay. Implementations must be
 * thread-safe, and {@code decode(encode(v))} must equal {@code v} for every value they accept.
 * {@code idem-jackson} provides a JSON codec; {@link SimpleResultCodec} covers strings, bytes and numbers
 * without any dependency.
 */
public interface ResultCodec {

    /** A content type naming this codec's format, e.g. {@code application/json}. */
    String contentType();

    /**
     * @throws ResultCodecException if the value cannot be encoded
     */
    byte[] encode(Object value, Type type);

    /**
     * @throws ResultCodecException if the bytes cannot be decoded into {@code type}
     */
    Object decode(byte[] bytes, Type type);
}
