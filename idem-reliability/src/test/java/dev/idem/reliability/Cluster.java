package dev.idem.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The suite's shared fixture: one fresh database and three reference-app processes on it, started once per test
 * JVM (they take seconds to start) and stopped when it exits. A test that kills or pauses an instance leaves it
 * running again when it ends ({@link #ensureRunning()}). Thread-safe.
 */
final class Cluster {

    static final String ALICE = "demo-alice";
    static final String BOB = "demo-bob";

    private static Cluster shared;

    final ReliabilityDatabase db;
    final List<AppInstance> instances;

    private Cluster() {
        this.db = ReliabilityDatabase.create();
        List<AppInstance> started = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(started), "reliability-cluster-stop"));
        for (int i = 1; i <= 3; i++) {
            started.add(AppInstance.launch("app-" + i, db));
        }
        this.instances = List.copyOf(started);
        CompletableFuture.allOf(instances.stream()
                .map(instance -> CompletableFuture.runAsync(instance::awaitReady))
                .toArray(CompletableFuture[]::new)).join();
    }

    static synchronized Cluster get() {
        if (shared == null) {
            shared = new Cluster();
        }
        shared.ensureRunning();
        return shared;
    }

    AppInstance instance(int i) {
        return instances.get(i);
    }

    /** Restarts killed instances, resumes paused ones and heals every database proxy. */
    synchronized void ensureRunning() {
        for (AppInstance instance : instances) {
            instance.database.heal();
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
    }
}
