package dev.idem.jackson3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.ResultCodecException;
import dev.idem.memory.InMemoryIdempotencyStore;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Jackson 3 results on a plain engine: no Spring anywhere. */
class Jackson3ResultCodecTest {

    public record Item(String name, int count) {
    }

    private final Jackson3ResultCodec codec = new Jackson3ResultCodec(JsonMapper.builder().build());

    @Test
    void aGenericResultIsStoredAsJsonAndReplayedAsItsType() {
        Type listOfItems = new ParameterizedType() {
            @Override
            public Type[] getActualTypeArguments() {
                return new Type[] {Item.class};
            }

            @Override
            public Type getRawType() {
                return List.class;
            }

            @Override
            public Type getOwnerType() {
                return null;
            }
        };
        try (Idempotency idem = Idempotency.builder(new InMemoryIdempotencyStore()).codec(codec).build()) {
            IdempotencyRequest request = IdempotencyRequest.builder("cart").scope("alice").key("k1")
                    .payload("{}".getBytes(StandardCharsets.UTF_8)).build();

            List<Item> first = idem.execute(request, listOfItems, () -> List.of(new Item("a", 1)));
            List<Item> replay = idem.execute(request, listOfItems, () -> List.of(new Item("b", 2)));

            assertThat(replay).isEqualTo(first).containsExactly(new Item("a", 1));
        }
        assertThat(new String(codec.encode(List.of(new Item("a", 1)), listOfItems), StandardCharsets.UTF_8))
                .isEqualTo("[{\"name\":\"a\",\"count\":1}]");
    }

    @Test
    void unreadableJsonIsAClearCodecError() {
        assertThatThrownBy(() -> codec.decode("{not json".getBytes(StandardCharsets.UTF_8), Item.class))
                .isInstanceOf(ResultCodecException.class);
    }
}
