package dev.idem.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The suite's shared fixture: one fresh database and three reference-app processes on it, started once per test
 * JVM (they take seconds to start) and stopped when it exits; {@link #onRedis()} is a second one whose three
 * instances keep their idempotency records in Redis. A test that kills or pauses an instance leaves it running again
 * when it ends ({@link #ensureRunning()}). Thread-safe.
 */
final class Cluster {

    static final String ALICE = "demo-alice";
    static final String BOB = "demo-bob";

    private static Cluster shared;
    private static Cluster sharedOnRedis;

    final ReliabilityDatabase db;
    /** The instances' Redis when they are on the Redis store, else null. */
    final ReliabilityRedis redis;
    final List<AppInstance> instances;

    private Cluster(ReliabilityRedis redis) {
        this.db = ReliabilityDatabase.create();
        this.redis = redis;
        List<AppInstance> started = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(started), "reliability-cluster-stop"));
        for (int i = 1; i <= 3; i++) {
            started.add(redis == null ? AppInstance.launch("app-" + i, db)
                    : AppInstance.launchOnRedis("app-" + i + "-redis", db, redis));
        }
        this.instances = List.copyOf(started);
        CompletableFuture.allOf(instances.stream()
                .map(instance -> CompletableFuture.runAsync(instance::awaitReady))
                .toArray(CompletableFuture[]::new)).join();
    }

    static synchronized Cluster get() {
        if (shared == null) {
            shared = new Cluster(null);
        }
        shared.ensureRunning();
        return shared;
    }

    /**
     * The instances on the Redis store (the server named by {@code IDEM_TEST_REDIS_URL}; skips the calling test
     * without it), started on first use.
     */
    static synchronized Cluster onRedis() {
        if (sharedOnRedis == null) {
            sharedOnRedis = new Cluster(ReliabilityRedis.create());
        }
        sharedOnRedis.ensureRunning();
        return sharedOnRedis;
    }

    /** A report row's fault, naming the Redis store when the instances are on it. */
    String fault(String fault) {
        return redis == null ? fault : fault + ", Redis store";
    }

    /** Whether the stored record of {@code key} in {@code scope} holds {@code body} (see ReliabilityDatabase). */
    boolean recordHolds(String scope, String key, String body) {
        return redis == null ? db.recordHolds(scope, key, body) : redis.recordHolds(scope, key, body);
    }

    AppInstance instance(int i) {
        return instances.get(i);
    }

    /** Restarts killed instances, resumes paused ones and heals every database proxy. */
    synchronized void ensureRunning() {
        for (AppInstance instance : instances) {
            instance.proxies().forEach(FaultProxy::heal);
            if (!instance.isAlive()) {
                instance.restart();
            } else {
                instance.resume();
            }
        }
    }

    private void close(List<AppInstance> started) {
        started.forEach(AppInstance::close);
        db.close();
        if (redis != null) {
            redis.close();
        }
    }
}
