package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An instance is killed with SIGKILL while its actions hold their keys. Two-phase keys: duplicates get 409 while
 * the dead owner's lease lives; once it ends, retries on the other instances take the key over and the action runs
 * once more, exactly once, and every retry gets that run's response. Transactional keys: the killed transaction
 * leaves neither its rows nor a record, and the first retry runs the action.
 */
class OwnerKilledTest {

    private static final int KILLS = 2;
    private static final int KEYS_PER_MODE = 4;
    private static final int RETRIERS = 4;

    private final Cluster cluster = cluster();
    private int lostTwoPhase;
    private int lostTransactional;

    /** The instances under test: on PostgreSQL here, on Redis in {@link RedisOwnerKilledTest}. */
    protected Cluster cluster() {
        return Cluster.get();
    }

    /** Whether the instances have transactional mode (the PostgreSQL store), so its keys are killed too. */
    protected boolean transactionalMode() {
        return true;
    }

    @AfterEach
    void restartKilledInstance() {
        cluster.ensureRunning();
    }

    @Test
    void killedOwnersKeysAreTakenOverAfterTheLeaseAndRunOnceMore() throws Exception {
        for (int kill = 0; kill < KILLS; kill++) {
            killOwnersMidAction(kill);
            cluster.ensureRunning();
        }
        assertThat(lostTwoPhase + lostTransactional).as("retries whose answer is not the stored record's").isZero();
        Report.row(cluster.fault("owner killed mid-action (SIGKILL), two-phase"), (long) KILLS * KEYS_PER_MODE,
                "2 per key: the killed run and one takeover; 1 effect per key", lostTwoPhase,
                KILLS + " kills; duplicates during the lease: 409; " + RETRIERS + " retriers per key on the other"
                        + " instances");
        if (transactionalMode()) {
            Report.row("owner killed mid-action (SIGKILL), transactional", (long) KILLS * KEYS_PER_MODE,
                    "1 committed per key (the killed one left no row, no record)", lostTransactional,
                    "retries on the other instances");
        }
    }

    private void killOwnersMidAction(int round) throws Exception {
        AppInstance victim = cluster.instance(0);
        List<String> twoPhase = new ArrayList<>();
        List<String> transactional = new ArrayList<>();
        List<CompletableFuture<Http.Reply>> doomed = new ArrayList<>();
        int held = transactionalMode() ? 2 * KEYS_PER_MODE : KEYS_PER_MODE;
        assertThat(Http.post(victim.uri("/test-hooks/holds?count=" + held), null, null, "").status())
                .isEqualTo(200);
        for (int i = 0; i < KEYS_PER_MODE; i++) {
            String key = "killed-" + round + "-" + i + "-" + UUID.randomUUID();
            twoPhase.add(key);
            doomed.add(postAsync(victim, "/api/effects", Cluster.ALICE, key));
            if (transactionalMode()) {
                String txKey = "killed-tx-" + round + "-" + i + "-" + UUID.randomUUID();
                transactional.add(txKey);
                doomed.add(postAsync(victim, "/tx/effects", null, txKey));
            }
        }
        await("actions holding their keys").atMost(Duration.ofSeconds(30))
                .until(() -> Http.get(victim.uri("/test-hooks/holds"), null).body().equals("" + held));
        for (String key : twoPhase) {
            assertThat(cluster.db.invocations(key)).isEqualTo(1);
        }

        victim.kill();

        for (CompletableFuture<Http.Reply> request : doomed) {
            assertThat(request).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .withRootCauseInstanceOf(IOException.class);
        }
        // while the dead owner's lease lives, a duplicate waits maxWait and gets 409, on any instance
        List<CompletableFuture<Http.Reply>> duplicates = new ArrayList<>();
        for (String key : twoPhase) {
            duplicates.add(postAsync(cluster.instance(1), "/api/effects", Cluster.ALICE, key));
        }
        for (CompletableFuture<Http.Reply> duplicate : duplicates) {
            Http.Reply reply = duplicate.get(10, TimeUnit.SECONDS);
            assertThat(reply.status()).as(reply.body()).isEqualTo(409);
            assertThat(reply.body()).contains("request-in-progress");
            assertThat(reply.header("Retry-After")).isNotNull();
        }
        // the killed transactions rolled back: no effect, no invocation, no record
        await("killed transactions rolled back").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String key : transactional) {
                assertThat(cluster.db.count("SELECT count(*) FROM idempotency_keys WHERE idem_key = ?", key))
                        .isZero();
                assertThat(cluster.db.invocations(key)).isZero();
                assertThat(cluster.db.effects(key)).isZero();
            }
        });

        for (String key : twoPhase) {
            List<Http.Reply> replies = retryFromOtherInstances("/api/effects", Cluster.ALICE, key);
            lostTwoPhase += cluster.recordHolds("alice", key, replies.get(0).body()) ? 0 : 1;
            assertThat(cluster.db.invocations(key)).as("runs of %s: the killed one and one takeover", key)
                    .isEqualTo(2);
            assertThat(cluster.db.effects(key)).as("effects of %s", key).isEqualTo(1);
            assertSameResponseOneRun(replies);
        }
        for (String key : transactional) {
            List<Http.Reply> replies = retryFromOtherInstances("/tx/effects", null, key);
            lostTransactional += cluster.recordHolds("tx", key, replies.get(0).body()) ? 0 : 1;
            assertThat(cluster.db.invocations(key)).as("committed runs of %s", key).isEqualTo(1);
            assertThat(cluster.db.effects(key)).as("effects of %s", key).isEqualTo(1);
            assertSameResponseOneRun(replies);
        }
    }

    private static void assertSameResponseOneRun(List<Http.Reply> replies) {
        assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(201));
        assertThat(replies.stream().map(Http.Reply::body).distinct()).hasSize(1);
        assertThat(replies.get(0).body()).doesNotContain("app-1");
        assertThat(replies.stream().filter(r -> !r.replayed())).as("runs among the retries").hasSize(1);
    }

    /** {@value #RETRIERS} clients retrying the key at once on app-2 and app-3 until each gets an answer. */
    private List<Http.Reply> retryFromOtherInstances(String path, String token, String key) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RETRIERS);
        try {
            List<Future<Http.Settled>> futures = new ArrayList<>();
            for (int i = 0; i < RETRIERS; i++) {
                AppInstance instance = cluster.instance(1 + i % 2);
                futures.add(pool.submit(() -> Http.postUntilSettled(instance.uri(path), token, key, body(key),
                        Duration.ofSeconds(30))));
            }
            List<Http.Reply> replies = new ArrayList<>();
            for (Future<Http.Settled> future : futures) {
                replies.add(future.get(60, TimeUnit.SECONDS).reply());
            }
            return replies;
        } finally {
            pool.shutdownNow();
        }
    }

    private static CompletableFuture<Http.Reply> postAsync(AppInstance instance, String path, String token,
                                                          String key) {
        return Http.postAsync(instance.uri(path), token, key, body(key));
    }

    private static String body(String key) {
        return "{\"label\":\"" + key + "\"}";
    }
}
