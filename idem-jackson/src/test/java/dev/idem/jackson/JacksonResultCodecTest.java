package dev.idem.jackson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.ResultCodecException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JacksonResultCodecTest {

    record Order(String id, Instant createdAt, List<String> items, long cents) {
    }

    private final JacksonResultCodec codec = JacksonResultCodec.create();

    @Test
    void contentTypeIsJson() {
        assertThat(codec.contentType()).isEqualTo("application/json");
    }

    @Test
    void recordWithInstantAndListRoundTrips() {
        // given
        Order order = new Order("o-1", Instant.parse("2024-05-01T12:34:56.789Z"), List.of("apple", "pear"), 1999);

        // when
        byte[] json = codec.encode(order, Order.class);
        Object decoded = codec.decode(json, Order.class);

        // then
        assertThat(decoded).isEqualTo(order);
    }

    @Test
    void instantsAreWrittenAsIsoStrings() {
        // given
        Order order = new Order("o-1", Instant.parse("2024-05-01T12:34:56Z"), List.of(), 0);

        // when
        String json = new String(codec.encode(order, Order.class), StandardCharsets.UTF_8);

        // then
        assertThat(json).contains("\"createdAt\":\"2024-05-01T12:34:56Z\"");
    }

    @Test
    void genericListOfRecordsRoundTripsThroughAReflectType() {
        // given
        Type type = new TypeReference<List<Order>>() { }.getType();
        List<Order> orders = List.of(
                new Order("a", Instant.parse("2024-01-01T00:00:00Z"), List.of("x"), 1),
                new Order("b", Instant.parse("2024-01-02T00:00:00Z"), List.of("y", "z"), 2));

        // when
        Object decoded = codec.decode(codec.encode(orders, type), type);

        // then
        assertThat(decoded).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactlyElementsOf(orders)
                .allSatisfy(element -> assertThat(element).isInstanceOf(Order.class));
    }

    @Test
    void nullEncodesAsJsonNullAndDecodesAsNull() {
        // when
        byte[] json = codec.encode(null, Order.class);

        // then
        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("null");
        assertThat(codec.decode(json, Order.class)).isNull();
    }

    @Test
    void unknownPropertiesAreIgnoredOnDecode() {
        // given
        byte[] json = "{\"id\":\"o-1\",\"createdAt\":\"2024-05-01T00:00:00Z\",\"items\":[],\"cents\":5,\"extra\":true}"
                .getBytes(StandardCharsets.UTF_8);

        // when
        Object decoded = codec.decode(json, Order.class);

        // then
        assertThat(decoded).isEqualTo(new Order("o-1", Instant.parse("2024-05-01T00:00:00Z"), List.of(), 5));
    }

    @Test
    void malformedJsonFailsWithResultCodecExceptionNamingTheType() {
        // given
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);

        // when / then
        assertThatThrownBy(() -> codec.decode(garbage, Order.class))
                .isInstanceOf(ResultCodecException.class)
                .hasMessageContaining(Order.class.getTypeName())
                .hasCauseInstanceOf(com.fasterxml.jackson.core.JacksonException.class);
    }

    @Test
    void jsonOfTheWrongShapeFailsWithResultCodecException() {
        // given
        byte[] json = "[1,2,3]".getBytes(StandardCharsets.UTF_8);

        // when / then
        assertThatThrownBy(() -> codec.decode(json, Order.class))
                .isInstanceOf(ResultCodecException.class)
                .hasMessageContaining("could not decode")
                .hasMessageContaining(Order.class.getTypeName());
    }

    @Test
    void unwritableValueFailsWithResultCodecExceptionNamingTheType() {
        // given: a plain object without properties, which Jackson refuses to serialise by default
        Object empty = new Object();

        // when / then
        assertThatThrownBy(() -> codec.encode(empty, Object.class))
                .isInstanceOf(ResultCodecException.class)
                .hasMessageContaining("could not encode")
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void givenMapperIsUsedAsIs() {
        // given
        ObjectMapper mapper = new ObjectMapper();

        // when
        JacksonResultCodec custom = new JacksonResultCodec(mapper);

        // then
        assertThat(custom.mapper()).isSameAs(mapper);
        assertThat(custom.decode(custom.encode(List.of(1, 2), List.class), List.class)).isEqualTo(List.of(1, 2));
    }
}
