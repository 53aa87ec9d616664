package dev.idem.jackson;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.idem.ResultCodec;
import dev.idem.ResultCodecException;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Objects;

/**
 * A {@link ResultCodec} that stores action results as JSON ({@code application/json}) with Jackson.
 *
 * <p>Guarantee: for every value the given {@link ObjectMapper} can write and read back as the declared
 * result type, {@code decode(encode(v, type), type)} equals {@code v}; {@code null} is stored as JSON
 * {@code null} and replayed as {@code null}. The declared {@link Type} (not the runtime class) drives both
 * directions, so generic types such as {@code List<Order>} work when passed as a
 * {@link java.lang.reflect.ParameterizedType} (e.g. from a Jackson {@code TypeReference}). Anything Jackson
 * cannot write or read fails with a {@link ResultCodecException} naming the type.
 *
 * <p>Thread-safe, provided the mapper is not reconfigured after it is handed to this codec: the mapper is
 * used as given (not copied), and Jackson's {@code ObjectMapper} is only thread-safe once configured.
 */
public final class JacksonResultCodec implements ResultCodec {

    /** The content type this codec writes and reads. */
    public static final String CONTENT_TYPE = "application/json";

    private final ObjectMapper mapper;

    /**
     * A codec over {@code mapper}, used as given. The mapper must be fully configured before this call and
     * must not be reconfigured afterwards, or replays may read results differently from how they were written.
     */
    public JacksonResultCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * A codec with its own mapper: {@code java.time} support ({@link JavaTimeModule}), dates as ISO-8601
     * strings rather than timestamps, and unknown properties ignored on read (so a result type can gain
     * or lose fields while old records are still replayed).
     */
    public static JacksonResultCodec create() {
        ObjectMapper mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        return new JacksonResultCodec(mapper);
    }

    /** The mapper this codec uses; do not reconfigure it. */
    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    public byte[] encode(Object value, Type type) {
        Objects.requireNonNull(type, "type");
        try {
            JavaType javaType = mapper.constructType(type);
            return mapper.writerFor(javaType).writeValueAsBytes(value);
        } catch (IOException | IllegalArgumentException e) {
            throw new ResultCodecException("could not encode a result of type " + type.getTypeName()
                    + " as JSON: " + reason(e), e);
        }
    }

    @Override
    public Object decode(byte[] bytes, Type type) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(type, "type");
        try {
            return mapper.readValue(bytes, mapper.constructType(type));
        } catch (IOException | IllegalArgumentException e) {
            throw new ResultCodecException("could not decode a stored JSON result as " + type.getTypeName()
                    + ": " + reason(e), e);
        }
    }

    private static String reason(Exception e) {
        return e instanceof JacksonException jackson && jackson.getOriginalMessage() != null
                ? jackson.getOriginalMessage() : String.valueOf(e.getMessage());
    }
}
