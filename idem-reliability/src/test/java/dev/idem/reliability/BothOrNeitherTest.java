package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A route the starter runs in transactional mode ({@code @IdempotentRoute(commit = TRANSACTIONAL)}): the process is
 * SIGKILLed at each step of a request, after the claim, after the handler's writes, and after the record was completed
 * but before the COMMIT, and each time neither the effect nor the record survives; the retry on another instance then
 * runs the handler once.
 */
class BothOrNeitherTest {

    private static final List<String> STEPS = List.of("start", "write", "commit");

    private final Cluster cluster = Cluster.get();

    @AfterEach
    void restartKilledInstance() {
        cluster.ensureRunning();
    }

    @Test
    void aProcessKilledAtAnyStepLeavesNeitherTheEffectNorTheRecord() throws Exception {
        int lost = 0;
        for (String step : STEPS) {
            AppInstance victim = cluster.instance(0);
            String key = "both-or-neither-" + step + "-" + UUID.randomUUID();
            String path = "/api/tx-effects?holdAt=" + step;
            assertThat(Http.post(victim.uri("/test-hooks/holds?count=1"), null, null, "").status()).isEqualTo(200);
            CompletableFuture<Http.Reply> doomed = Http.postAsync(victim.uri(path), Cluster.ALICE, key, body(key));
            await("the request held at " + step).atMost(Duration.ofSeconds(30))
                    .until(() -> Http.get(victim.uri("/test-hooks/holds"), null).body().equals("1"));

            victim.kill();

            assertThat(doomed).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .withRootCauseInstanceOf(IOException.class);
            await("the killed transaction rolled back").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(cluster.db.count("SELECT count(*) FROM idempotency_keys WHERE idem_key = ?", key))
                        .as("records of %s killed at %s", key, step).isZero();
                assertThat(cluster.db.effects(key)).as("effects of %s killed at %s", key, step).isZero();
                assertThat(cluster.db.invocations(key)).isZero();
            });

            Http.Settled retry = Http.postUntilSettled(cluster.instance(1).uri(path), Cluster.ALICE, key, body(key),
                    Duration.ofSeconds(30));
            assertThat(retry.reply().status()).as(retry.reply().body()).isEqualTo(201);
            assertThat(retry.reply().replayed()).isFalse();
            assertThat(cluster.db.effects(key)).isEqualTo(1);
            assertThat(cluster.db.count("SELECT count(*) FROM idempotency_keys WHERE idem_key = ? AND status = ?",
                    key, "COMPLETED")).isEqualTo(1);
            lost += cluster.recordHolds("alice", key, retry.reply().body()) ? 0 : 1;
            cluster.ensureRunning();
        }
        assertThat(lost).as("retries whose answer is not the stored record's").isZero();
        Report.row("killed at each step of a starter transactional route (after claim, after write, before COMMIT)",
                STEPS.size(), "0 effects and 0 records after each kill; 1 effect after the retry", lost,
                "SIGKILL while the request is held at the step");
    }

    private static String body(String key) {
        return "{\"label\":\"" + key + "\"}";
    }
}
