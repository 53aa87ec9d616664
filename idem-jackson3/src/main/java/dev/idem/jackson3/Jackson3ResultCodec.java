package dev.idem.jackson3;

import dev.idem.ResultCodec;
import dev.idem.ResultCodecException;
import java.lang.reflect.Type;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Stores results as JSON with the application's Jackson 3 {@link JsonMapper} (Spring Boot 4's). Thread-safe. */
public final class Jackson3ResultCodec implements ResultCodec {

    private final JsonMapper mapper;

    public Jackson3ResultCodec(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String contentType() {
        return "application/json";
    }

    @Override
    public byte[] encode(Object value, Type type) {
        try {
            return mapper.writerFor(mapper.constructType(type)).writeValueAsBytes(value);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ResultCodecException("cannot encode a " + type.getTypeName() + " as JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public Object decode(byte[] bytes, Type type) {
        try {
            return mapper.readValue(bytes, mapper.constructType(type));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ResultCodecException("cannot decode stored JSON into a " + type.getTypeName() + ": " + e.getMessage(), e);
        }
    }
}
