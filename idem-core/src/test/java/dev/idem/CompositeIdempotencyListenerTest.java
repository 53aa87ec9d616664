package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.spi.RecordId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeIdempotencyListenerTest {

    private static final RecordId ID = new RecordId("u1", "order.create", "k1");

    @Test
    void everyListenerHearsEachEventInOrderEvenAfterOneThrows() {
        List<String> heard = new ArrayList<>();
        IdempotencyListener failing = new IdempotencyListener() {
            @Override
            public void onClaimed(RecordId id, boolean takeover) {
                heard.add("failing");
                throw new IllegalStateException("listener bug");
            }
        };
        IdempotencyListener recording = new IdempotencyListener() {
            @Override
            public void onClaimed(RecordId id, boolean takeover) {
                heard.add("recording " + id.key() + " " + takeover);
            }
        };

        IdempotencyListener.composite(failing, recording).onClaimed(ID, true);

        assertThat(heard).containsExactly("failing", "recording k1 true");
    }

    @Test
    void noListenersIsNoneAndOneListenerIsItself() {
        IdempotencyListener only = new IdempotencyListener() { };

        assertThat(IdempotencyListener.composite()).isSameAs(IdempotencyListener.NONE);
        assertThat(IdempotencyListener.composite(only)).isSameAs(only);
    }
}
