package dev.idem.spring;

import dev.idem.Idempotency;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.support.CronExpression;

/**
 * Deletes expired records every {@code interval} (or at the times of a cron expression), in batches of
 * {@code batchSize} until a batch comes back short, paced so that a backlog does not starve the application (see
 * {@link #pruneNow()}), on its own daemon thread, started and stopped with the
 * application context. Counts {@code idem.pruned}. Thread-safe.
 */
public final class IdempotencyPruner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyPruner.class);
    /** How many times as long as a full batch took the pruner rests before the next one. */
    static final int REST_PER_BATCH = 3;

    private final Idempotency idempotency;
    private final Duration interval;
    private final int batchSize;
    private final IntConsumer pruned;
    private final CronExpression cron;
    private volatile ScheduledExecutorService executor;
    private volatile boolean autoStartup = true;

    public IdempotencyPruner(Idempotency idempotency, Duration interval, int batchSize) {
        this(idempotency, interval, null, batchSize, rows -> { });
    }

    /**
     * @param cron   a Spring cron expression, or null to prune every {@code interval}
     * @param pruned told how many rows each run deleted (the starter counts them in {@code idem.pruned})
     * @throws IllegalArgumentException for a non-positive interval or batch size, or an invalid cron expression
     */
    public IdempotencyPruner(Idempotency idempotency, Duration interval, String cron, int batchSize,
                             IntConsumer pruned) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("idem.prune.interval must be positive, got " + interval);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("idem.prune.batch-size must be positive, got " + batchSize);
        }
        this.idempotency = idempotency;
        this.interval = interval;
        this.batchSize = batchSize;
        this.pruned = pruned;
        try {
            this.cron = cron == null || cron.isBlank() ? null : CronExpression.parse(cron);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("idem.prune.cron is not a valid cron expression: " + e.getMessage(), e);
        }
    }

    /** The delay until the next run. */
    private long nextDelayMillis() {
        if (cron == null) {
            return interval.toMillis();
        }
        ZonedDateTime now = ZonedDateTime.now();
        ZonedDateTime next = cron.next(now);
        return next == null ? Long.MAX_VALUE : Math.max(0, Duration.between(now, next).toMillis());
    }

    /**
     * Prunes now, on the calling thread; returns the number of records deleted. Between two full batches it rests
     * three times as long as the last batch took, so a backlog (the first run over a large table,
     * or after an outage) takes at most a quarter of one connection's time instead of competing flat out with the
     * application's own writes. An interrupt ends the run after the current batch.
     */
    public int pruneNow() {
        int total = 0;
        int deleted;
        long start;
        do {
            start = System.nanoTime();
            deleted = idempotency.pruneExpired(batchSize);
            total += deleted;
        } while (deleted == batchSize && rested(System.nanoTime() - start));
        pruned.accept(total);
        return total;
    }

    /** Rests after a batch that took {@code batchNanos}; false when interrupted meanwhile. */
    private static boolean rested(long batchNanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(batchNanos * REST_PER_BATCH); // pacing the deletes, not synchronisation
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Keeps the schedule from starting with the context (for stores that expire records themselves). */
    void disableAutoStartup() {
        this.autoStartup = false;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "idem-pruner");
            thread.setDaemon(true);
            return thread;
        });
        scheduleNext(executor);
    }

    private void scheduleNext(ScheduledExecutorService on) {
        if (on.isShutdown()) {
            return;
        }
        on.schedule(() -> {
            try {
                int deleted = pruneNow();
                if (deleted > 0) {
                    log.debug("Pruned {} expired idempotency records", deleted);
                }
            } catch (RuntimeException e) {
                log.warn("Pruning expired idempotency records failed; will retry at the next run", e);
            } finally {
                scheduleNext(on);
            }
        }, nextDelayMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService running = executor;
        executor = null;
        if (running != null) {
            running.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
