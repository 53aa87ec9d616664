package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A paused owner (SIGSTOP: no thread runs, so no lease renewal) whose key was taken over by another instance cannot
 * write its result when it wakes up: the record keeps the new owner's response, the stale owner's caller still gets
 * its own, and the stale instance counts the refused write in {@code idem.fenced.writes}.
 */
class StaleOwnerTest {

    private static final int PAUSES = 2;

    private final Cluster cluster = cluster();

    /** The instances under test: on PostgreSQL here, on Redis in {@link RedisStaleOwnerTest}. */
    protected Cluster cluster() {
        return Cluster.get();
    }

    @AfterEach
    void resumeEverything() {
        cluster.ensureRunning();
    }

    @Test
    void pausedOwnerTakenOverCannotOverwriteTheNewOwnersResult() throws Exception {
        AppInstance stale = cluster.instance(0);
        AppInstance taker = cluster.instance(1);
        double fencedBefore = stale.meterCount("idem.fenced.writes");
        int lost = 0;
        for (int round = 0; round < PAUSES; round++) {
            String key = "stale-" + round + "-" + UUID.randomUUID();
            String body = "{\"label\":\"" + key + "\"}";
            assertThat(Http.post(stale.uri("/test-hooks/holds?count=1"), null, null, "").status()).isEqualTo(200);
            CompletableFuture<Http.Reply> staleCall = Http.postAsync(stale.uri("/api/effects"), Cluster.ALICE, key,
                    body);
            await("the first owner holds the key").atMost(Duration.ofSeconds(30))
                    .until(() -> Http.get(stale.uri("/test-hooks/holds"), null).body().equals("1"));

            stale.pause();
            Http.Settled taken = Http.postUntilSettled(taker.uri("/api/effects"), Cluster.ALICE, key, body,
                    Duration.ofSeconds(30));
            stale.resume();
            assertThat(Http.post(stale.uri("/test-hooks/holds/release"), null, null, "").status()).isEqualTo(200);
            Http.Reply staleReply = staleCall.get(30, TimeUnit.SECONDS);

            assertThat(taken.conflicts()).as("409s while the paused owner's lease lived").isPositive();
            assertThat(taken.reply().status()).isEqualTo(201);
            assertThat(taken.reply().body()).contains("\"runBy\":\"" + taker.name + "\"");
            assertThat(staleReply.status()).isEqualTo(201);
            assertThat(staleReply.body()).as("the stale owner's caller gets its own result")
                    .contains("\"runBy\":\"" + stale.name + "\"");
            Http.Reply replay = Http.post(cluster.instance(2).uri("/api/effects"), Cluster.ALICE, key, body);
            assertThat(replay.replayed()).isTrue();
            assertThat(replay.body()).as("the record keeps the new owner's result").isEqualTo(taken.reply().body());
            assertThat(cluster.db.effects(key)).isEqualTo(1);
            assertThat(cluster.db.invocations(key)).isEqualTo(2);
            lost += cluster.recordHolds("alice", key, taken.reply().body()) ? 0 : 1;
        }
        assertThat(lost).as("new owners' answers the record does not hold").isZero();
        double fenced = stale.meterCount("idem.fenced.writes") - fencedBefore;
        assertThat(fenced).as("idem.fenced.writes on the stale instance").isEqualTo(PAUSES);
        Report.row(cluster.fault("stale owner (SIGSTOP past its lease, then SIGCONT)"), PAUSES,
                "2 per key (paused run and takeover); 1 effect per key", lost,
                "record kept the new owner's response every time; idem.fenced.writes counted " + (long) fenced);
    }
}
