package dev.idem.internal;

import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews one owner's lease every {@code interval} until stopped, so a long action keeps its key while a
 * dead owner's lease runs out. Stops by itself when the store says the lease was lost. Thread-safe.
 */
public final class LeaseHeartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    private final ScheduledFuture<?> task;

    private LeaseHeartbeat(ScheduledFuture<?> task) {
        this.task = task;
    }

    /** A heartbeat that does nothing, for stores whose claims need no renewal. */
    public static LeaseHeartbeat none() {
        return new LeaseHeartbeat(null);
    }

    public static LeaseHeartbeat start(ScheduledExecutorService scheduler, IdempotencyStore store, RecordId id,
                                       OwnerToken token, Clock clock, Duration lease, Duration interval) {
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        Runnable renew = () -> {
            try {
                if (!store.renewLease(id, token, clock.instant().plus(lease))) {
                    log.warn("Lease on {} was lost to another owner; this owner's result will not be stored", id);
                    synchronized (self) {
                        if (self[0] != null) {
                            self[0].cancel(false);
                        }
                    }
                }
            } catch (RuntimeException e) {
                log.warn("Could not renew the lease on {}; will retry", id, e);
            }
        };
        long period = interval.toNanos();
        synchronized (self) {
            self[0] = scheduler.scheduleAtFixedRate(renew, period, period, TimeUnit.NANOSECONDS);
            return new LeaseHeartbeat(self[0]);
        }
    }

    /** Stops renewing; a renewal already running finishes. */
    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
