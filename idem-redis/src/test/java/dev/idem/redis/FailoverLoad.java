package dev.idem.redis;

import static org.awaitility.Awaitility.await;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.tck.Races;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Lifecycles while Redis fails over: {@code threads} callers each take a new key and call it 3 times (the first
 * runs the action, the immediate retries replay it; a store error or a conflict is left for later), and after
 * {@link #finish} every key is called once more until answered, as a late client retry would. A ledger around the
 * store counts what Redis acknowledged and later lost: a fresh claim of a key whose acknowledged claim was never
 * finished is a lost claim; a claim, or the final read, after an acknowledged completion that does not find it is a
 * lost completion. Completions Redis refused (the store threw) are remembered per key. Thread-safe.
 */
final class FailoverLoad {

    /** The engine's lease: short, so a key whose completion was lost is taken over within the test. */
    static final Duration LEASE = Duration.ofSeconds(2);
    private static final int CALLS_PER_KEY = 3;
    private static final String SCOPE = "s";
    private static final String ACTION = "failover.test";

    final Ledger ledger;
    private final Idempotency idem;
    private final int threads;
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService pool;
    private final List<Future<?>> workers = new ArrayList<>();

    /** What one run counted. */
    record Outcome(int keys, long duplicates, List<String> rerunKeys, long lostClaims, long lostCompletions,
                   Set<String> refusedCompletionKeys) {
        String summary() {
            return keys + " keys; acknowledged writes lost: " + lostClaims + " claims, " + lostCompletions
                    + " completions; " + duplicates + " duplicate executions (" + rerunKeys.size() + " keys);"
                    + " completions refused: " + refusedCompletionKeys.size();
        }
    }

    private FailoverLoad(IdempotencyStore store, int threads) {
        this.ledger = new Ledger(store);
        this.idem = Idempotency.builder(ledger).config(config()).build();
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads);
    }

    /** Starts {@code threads} callers on {@code store}. */
    static FailoverLoad start(IdempotencyStore store, int threads) {
        FailoverLoad load = new FailoverLoad(store, threads);
        for (int t = 0; t < threads; t++) {
            load.workers.add(load.pool.submit(() -> {
                while (!load.stop.get()) {
                    String key = "f" + load.sequence.incrementAndGet();
                    load.runs.put(key, new AtomicInteger());
                    for (int call = 0; call < CALLS_PER_KEY; call++) {
                        load.callOnce(key);
                    }
                }
            }));
        }
        return load;
    }

    /** The engine settings of every test here: {@link #LEASE}, and duplicates wait 300 ms at most. */
    static IdempotencyConfig config() {
        return IdempotencyConfig.builder().lease(LEASE).maxWait(Duration.ofMillis(300)).build();
    }

    static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder(ACTION).scope(SCOPE).key(key).payload(key.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /** Waits until the callers took {@code keys} more keys. */
    void awaitKeys(int keys) {
        long now = sequence.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> sequence.get() >= now + keys);
    }

    /** Waits until {@code calls} more calls were answered (by a run or a replay). */
    void awaitAnswered(int calls) {
        long now = answered.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() >= now + calls);
    }

    /** Stops the callers, calls every key once more until answered, checks every completion and counts. */
    Outcome finish() throws Exception {
        stop.set(true);
        pool.shutdown();
        for (Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }
        Races.forEach(threads, new ArrayList<>(runs.keySet()), this::callUntilAnswered);
        ledger.checkEveryCompletionIsStillThere();
        List<String> rerun = runs.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey)
                .toList();
        long duplicates = runs.values().stream().mapToLong(n -> Math.max(0, n.get() - 1)).sum();
        return new Outcome(runs.size(), duplicates, rerun, ledger.lostClaims.get(), ledger.lostCompletions.get(),
                Set.copyOf(ledger.refusedCompletionKeys.keySet()));
    }

    private void callOnce(String key) {
        try {
            idem.execute(request(key), String.class, () -> key + ":" + runs.get(key).incrementAndGet());
            answered.incrementAndGet();
        } catch (IdempotencyStoreException | IdempotencyConflictException e) {
            // Redis is failing over: the final pass retries every key
        }
    }

    private void callUntilAnswered(String key) {
        for (int attempt = 0; ; attempt++) {
            try {
                idem.execute(request(key), String.class, () -> key + ":" + runs.get(key).incrementAndGet());
                return;
            } catch (IdempotencyStoreException | IdempotencyConflictException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** The counting store around the real one (see the class comment); can also count writes on chosen records. */
    static final class Ledger extends ForwardingIdempotencyStore {
        private final Map<String, Entry> entries = new ConcurrentHashMap<>();
        private final Map<String, Boolean> refusedCompletionKeys = new ConcurrentHashMap<>();
        private final AtomicLong lostClaims = new AtomicLong();
        private final AtomicLong lostCompletions = new AtomicLong();
        final AtomicLong watchedAcknowledged = new AtomicLong();
        final AtomicLong watchedRefused = new AtomicLong();
        private volatile Predicate<RecordId> watched = id -> false;

        /** One key's acknowledged state. */
        private static final class Entry {
            boolean claimed;
            StoredResult completed;
        }

        Ledger(IdempotencyStore delegate) {
            super(delegate);
        }

        /** From now on, counts the acknowledged and the refused writes of the records {@code which} accepts. */
        void watch(Predicate<RecordId> which) {
            watchedAcknowledged.set(0);
            watchedRefused.set(0);
            watched = which;
        }

        void unwatch() {
            watched = id -> false;
        }

        long watchedWrites() {
            return watchedAcknowledged.get() + watchedRefused.get();
        }

        @Override
        public ClaimResult claim(ClaimRequest request) {
            ClaimResult result = written(request.id(), () -> super.claim(request));
            if (result instanceof ClaimResult.Claimed claimed) {
                Entry entry = entries.computeIfAbsent(request.id().key(), k -> new Entry());
                synchronized (entry) {
                    if (entry.completed != null) {
                        lostCompletions.incrementAndGet();
                        entry.completed = null;
                    } else if (entry.claimed && !claimed.takeover()) {
                        lostClaims.incrementAndGet();
                    }
                    entry.claimed = true;
                }
            }
            return result;
        }

        @Override
        public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
            boolean written;
            try {
                written = written(id, () -> super.complete(id, token, result));
            } catch (RuntimeException e) {
                refusedCompletionKeys.put(id.key(), true);
                throw e;
            }
            if (written) {
                Entry entry = entries.computeIfAbsent(id.key(), k -> new Entry());
                synchronized (entry) {
                    entry.completed = result;
                }
            }
            return written;
        }

        /** After the final pass: every acknowledged completion must still be the key's stored result. */
        void checkEveryCompletionIsStillThere() {
            Instant now = Instant.now();
            entries.forEach((key, entry) -> {
                if (entry.completed == null) {
                    return;
                }
                Optional<StoredRecord> stored = find(new RecordId(SCOPE, ACTION, key), now);
                boolean holds = stored.isPresent() && stored.get().status() == RecordStatus.COMPLETED
                        && Arrays.equals(stored.get().result().body(), entry.completed.body());
                if (!holds) {
                    lostCompletions.incrementAndGet();
                }
            });
        }

        private <R> R written(RecordId id, Supplier<R> write) {
            boolean counted = watched.test(id);
            try {
                R result = write.get();
                if (counted) {
                    watchedAcknowledged.incrementAndGet();
                }
                return result;
            } catch (RuntimeException e) {
                if (counted) {
                    watchedRefused.incrementAndGet();
                }
                throw e;
            }
        }
    }
}
