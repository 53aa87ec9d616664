package dev.idem.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SignalingWaiterTest {

    private final SignalingWaiter waiter = new SignalingWaiter();
    private final RecordId id = new RecordId("user-1", "order.create", "key-1");

    @Test
    void handleIsWokenBySignalFromAnotherThread() throws Exception {
        // given
        Waiter.Handle handle = waiter.register(id);
        CountDownLatch signallerReady = new CountDownLatch(1);
        CompletableFuture<Void> signaller = CompletableFuture.runAsync(() -> {
            signallerReady.countDown();
            waiter.signal(id);
        });
        assertThat(signallerReady.await(5, TimeUnit.SECONDS)).isTrue();

        // when
        long start = System.nanoTime();
        boolean woken = handle.await(Duration.ofSeconds(5));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);

        // then
        assertThat(woken).isTrue();
        assertThat(waited).isLessThan(Duration.ofSeconds(5));
        signaller.get(5, TimeUnit.SECONDS);
        handle.close();
    }

    @Test
    void handleBlockedInAwaitIsWokenWhenTheSignalArrives() throws Exception {
        // given: a thread blocked in await; the signal is sent after the waiter thread has started
        Waiter.Handle handle = waiter.register(id);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> result = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                return handle.await(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();

        // when
        long start = System.nanoTime();
        waiter.signal(id.digest());

        // then
        assertThat(result.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        handle.close();
    }

    @Test
    void awaitReturnsFalseWhenNoSignalArrivesBeforeTheTimeout() throws Exception {
        // given
        Waiter.Handle handle = waiter.register(id);

        // when
        boolean woken = handle.await(Duration.ofMillis(30));

        // then
        assertThat(woken).isFalse();
        handle.close();
    }

    @Test
    void signalForAnotherIdDoesNotWakeTheHandle() throws Exception {
        // given
        Waiter.Handle handle = waiter.register(id);

        // when
        waiter.signal(new RecordId("user-2", "order.create", "key-1"));

        // then
        assertThat(handle.await(Duration.ofMillis(30))).isFalse();
        handle.close();
    }

    @Test
    void signalIsConsumedByOneAwait() throws Exception {
        // given
        Waiter.Handle handle = waiter.register(id);
        waiter.signal(id);

        // when
        boolean first = handle.await(Duration.ofMillis(30));
        boolean second = handle.await(Duration.ofMillis(30));

        // then
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        handle.close();
    }

    @Test
    void signalAllWakesEveryHandle() throws Exception {
        // given
        Waiter.Handle a = waiter.register(id);
        Waiter.Handle b = waiter.register(new RecordId("", "other", "k"));

        // when
        waiter.signalAll();

        // then
        assertThat(a.await(Duration.ofSeconds(1))).isTrue();
        assertThat(b.await(Duration.ofSeconds(1))).isTrue();
        a.close();
        b.close();
    }

    @Test
    void closeUnregistersTheHandle() {
        // given
        Waiter.Handle first = waiter.register(id);
        Waiter.Handle second = waiter.register(id);
        assertThat(waiter.registeredHandles()).isEqualTo(2);

        // when
        first.close();
        second.close();

        // then
        assertThat(waiter.registeredHandles()).isZero();
    }

    @Test
    void aCarriedRecordIsHandedOutOnceWithTheHandlesId() throws Exception {
        // given
        Waiter.Handle first = waiter.register(id);
        Waiter.Handle second = waiter.register(id);
        AtomicInteger built = new AtomicInteger();

        // when
        waiter.signal(id.digest(), registered -> {
            built.incrementAndGet();
            return completed(registered);
        });

        // then
        assertThat(first.await(Duration.ofSeconds(1))).isTrue();
        assertThat(first.takeCarried()).contains(completed(id));
        assertThat(first.takeCarried()).as("handed out once").isEmpty();
        assertThat(second.await(Duration.ofSeconds(1))).isTrue();
        assertThat(second.takeCarried()).contains(completed(id));
        assertThat(built).as("the record is built once for all handles of the id").hasValue(1);
        first.close();
        second.close();
    }

    @Test
    void aSignalWithoutARecordDropsTheOneCarriedBefore() throws Exception {
        // given: a carried completion, then a plain signal (a delete, a reconnect) before the waiter looked
        Waiter.Handle handle = waiter.register(id);
        waiter.signal(id.digest(), this::completed);

        // when
        waiter.signal(id);

        // then: the waiter must read the store again
        assertThat(handle.await(Duration.ofSeconds(1))).isTrue();
        assertThat(handle.takeCarried()).isEmpty();
        handle.close();
    }

    @Test
    void aRecordBuiltForAnotherIdIsNotHandedOut() throws Exception {
        // given
        Waiter.Handle handle = waiter.register(id);

        // when: the builder answers for a different id (a broken channel payload)
        waiter.signal(id.digest(), registered -> completed(new RecordId("user-2", "order.create", "key-1")));

        // then: woken, but it reads the store rather than trusting the wrong record
        assertThat(handle.await(Duration.ofSeconds(1))).isTrue();
        assertThat(handle.takeCarried()).isEmpty();
        handle.close();
    }

    private StoredRecord completed(RecordId recordId) {
        Instant now = Instant.parse("2026-12-02T10:00:00Z");
        return new StoredRecord(recordId, Fingerprint.EMPTY, RecordStatus.COMPLETED, now, now.plusSeconds(60),
                new StoredResult(new byte[] {1, 2}, "application/json"), null);
    }
}
