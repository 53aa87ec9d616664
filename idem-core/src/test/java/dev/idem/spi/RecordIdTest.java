package dev.idem.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RecordIdTest {

    @Test
    void digestIsSha256OverTheLengthPrefixedPartsAndNeverChanges() {
        // Redis keys and PostgreSQL wake-ups are named by it: a change would orphan every stored record.
        // Expected values computed outside Java: sha256(len32be(part) + utf8(part) for each part).
        assertThat(new RecordId("user-1", "order.create", "key-1").digest())
                .isEqualTo("5d1d320667d6560471a8bb4875d9d1e8edf24e236a46cb7dc1cd9af67f8c94fb");
        assertThat(new RecordId("", "a", "ü").digest())
                .isEqualTo("b1e8cae98598bb184c2a267708d234238254792e6565ea047eda07b494058897");
    }

    @Test
    void digestsComputedOnManyThreadsAtOnceAreEachRight() throws Exception {
        // given: the digest engine is copied from one shared instance
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Set<String> wrong = ConcurrentHashMap.newKeySet();
        try {
            List<Future<?>> runs = IntStream.range(0, 4).<Future<?>>mapToObj(t -> pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    String digest = new RecordId("user-1", "order.create", "key-1").digest();
                    if (!digest.equals("5d1d320667d6560471a8bb4875d9d1e8edf24e236a46cb7dc1cd9af67f8c94fb")) {
                        wrong.add(digest);
                    }
                }
            })).toList();
            for (Future<?> run : runs) {
                run.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }

        // then
        assertThat(wrong).isEmpty();
    }
}
