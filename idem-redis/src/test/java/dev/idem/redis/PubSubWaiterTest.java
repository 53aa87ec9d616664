package dev.idem.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.spi.RecordId;
import dev.idem.spi.Waiter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pub/sub waiter's memory of recent signals: no server needed. */
class PubSubWaiterTest {

    private final RecordId id = new RecordId("u", "a", "k1");
    private final RecordId other = new RecordId("u", "a", "k2");

    @Test
    void aHandleRegisteredJustAfterItsRecordWasSignalledStartsOutWoken() throws Exception {
        PubSubWaiter waiter = new PubSubWaiter();
        waiter.signal(id.digest()); // the completion's message overtook the claim's reply

        try (Waiter.Handle late = waiter.register(id); Waiter.Handle unrelated = waiter.register(other)) {
            assertThat(late.await(Duration.ofMillis(1))).isTrue();
            assertThat(late.await(Duration.ofMillis(1))).as("one signal wakes once").isFalse();
            assertThat(unrelated.await(Duration.ofMillis(1))).isFalse();
        }
    }

    @Test
    void signalsAreForgottenAfterTheMemoryWindow() throws Exception {
        PubSubWaiter waiter = new PubSubWaiter(Duration.ofMillis(20));
        waiter.signal(id.digest());
        Thread.sleep(40);
        waiter.signal(other.digest()); // sweeps what is older than the window

        try (Waiter.Handle handle = waiter.register(id)) {
            assertThat(handle.await(Duration.ofMillis(1))).isFalse();
        }
        assertThat(waiter.rememberedSignals()).isEqualTo(1);
    }

    @Test
    void registeredHandlesAreWokenBySignalsAndBySignalAll() throws Exception {
        PubSubWaiter waiter = new PubSubWaiter();
        try (Waiter.Handle first = waiter.register(id); Waiter.Handle second = waiter.register(other)) {
            waiter.signal(id.digest());
            assertThat(first.await(Duration.ofSeconds(1))).isTrue();
            assertThat(second.await(Duration.ofMillis(1))).isFalse();

            waiter.signalAll();
            assertThat(first.await(Duration.ofSeconds(1))).isTrue();
            assertThat(second.await(Duration.ofSeconds(1))).isTrue();
            assertThat(waiter.registeredHandles()).isEqualTo(2);
        }
        assertThat(waiter.registeredHandles()).isZero();
    }
}
