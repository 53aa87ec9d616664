package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.reliability.FaultProxy.Cut;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One instance loses PostgreSQL (its proxy cuts every connection and refuses new ones) at the moment a given
 * statement goes out: the claim, the action's own write, the completion, or the transactional-mode COMMIT; each
 * both before the statement reaches the server and after it ran there with its reply lost. The request is never
 * run unprotected, answers 503 unless its action already produced a result, and after the database comes back the
 * client's retries (same key) end with exactly one effect and one answer.
 */
class DatabaseOutageTest {

    private static final int ROUNDS = 2;
    private static final String CLAIM = "claimed AS (INSERT INTO";
    private static final String ACTION = "INSERT INTO fault_effects";
    private static final String COMPLETION = "SET status = $1, content_type = $2";
    private static final String COMMIT = "COMMIT";

    private static final Pattern EFFECT_ID = Pattern.compile("\"effectId\":(\\d+)");

    protected final Cluster cluster = cluster();
    protected final AppInstance app = cluster.instance(2);
    protected int injected;
    protected int invocations;
    protected int effects;
    protected int lost;

    /** The instances under test: on PostgreSQL here, on Redis in {@link RedisOutageTest}. */
    protected Cluster cluster() {
        return Cluster.get();
    }

    /** The claim's bytes on the wire to the store: its SQL here, its script's SHA-1 in Redis. */
    protected String claimMarker() {
        return CLAIM;
    }

    /** The proxy between the instance and its idempotency store. */
    protected FaultProxy storeProxy() {
        return app.database;
    }

    @AfterEach
    void heal() {
        cluster.ensureRunning();
    }

    @Test
    void outageDuringClaimActionOrCompletionNeverRunsUnprotectedAndEndsInOneEffect() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            for (Cut cut : Cut.values()) {
                // claim: before it reaches the server nothing exists; after it ran, a claim nobody works on
                // blocks the key until its lease ends, then a retry takes over and runs it once
                outage("/api/effects", CLAIM, cut, 503, 0, 1);
                // the action's write: 503 from the app, the key stays claimed until the lease ends (its release
                // failed too), the takeover runs the action again and the derived key keeps the effect single
                outage("/api/effects", ACTION, cut, 503, 1, 2);
                // transactional mode: the transaction is rolled back, the retry runs once
                outage("/tx/effects", ACTION, cut, 503, 0, 1);
            }
            // completion: the action ran and its caller gets the result; if the completed record never reached
            // the server, the retry after the lease runs the action again and finds its effect already written
            outage("/api/effects", COMPLETION, Cut.BEFORE_FORWARD, 201, 1, 2);
            outage("/api/effects", COMPLETION, Cut.AFTER_FORWARD, 201, 1, 1);
            // transactional COMMIT lost before the server: nothing; COMMIT ran but its reply was lost: replayed
            outage("/tx/effects", COMMIT, Cut.BEFORE_FORWARD, 503, 0, 1);
            outage("/tx/effects", COMMIT, Cut.AFTER_FORWARD, 503, 1, 1);
        }
        assertThat(lost).as("final answers the stored record does not hold").isZero();
        Report.row("database lost (proxy cut) before or after the claim, the action's write, the completion or"
                        + " the COMMIT", injected, invocations + " invocations, " + effects + " effects for "
                        + injected + " keys", lost,
                "503 whenever no result existed yet; nothing ran while the claim was not recorded; a second"
                        + " invocation only after a lost completion or a failed write, its effect written once");
    }

    /**
     * Sends one request while the instance's database is cut at {@code marker}, checks the answer and that nothing
     * ran unprotected, heals, retries until settled and checks the counts.
     */
    protected void outage(String path, String marker, Cut cut, int expectedStatus, int invocationsDuringOutage,
                          int invocationsInTheEnd) throws Exception {
        String key = "outage-" + UUID.randomUUID();
        String body = "{\"label\":\"" + key + "\"}";
        String token = path.startsWith("/api") ? Cluster.ALICE : null;
        CompletableFuture<String> fired = storeProxy().cutWhenClientSends(marker, cut);

        Http.Reply during = Http.post(app.uri(path), token, key, body);
        assertThat(fired).as("the cut at %s %s fired", cut, marker).succeedsWithin(5, TimeUnit.SECONDS);
        injected++;
        String scenario = path + " " + cut + " " + marker + " (cut on: " + fired.join() + ")";
        assertThat(during.status()).as("%s: %s", scenario, during.body()).isEqualTo(expectedStatus);
        if (expectedStatus == 503) {
            assertThat(during.header("Content-Type")).startsWith("application/problem+json");
            assertThat(during.header("Retry-After")).isNotNull();
        }
        if (marker.equals(claimMarker())) {
            assertThat(during.body()).as("the filter refused: the key could not be checked")
                    .contains("store-unavailable");
        }
        storeProxy().heal();
        assertThat(cluster.db.invocations(key)).as("%s: invocations during the outage", scenario)
                .isEqualTo(invocationsDuringOutage);

        Http.Settled settled = Http.postUntilSettled(app.uri(path), token, key, body, Duration.ofSeconds(30));
        assertThat(settled.reply().status()).as("%s: %s", scenario, settled.reply().body()).isEqualTo(201);
        assertThat(cluster.db.invocations(key)).as("%s: invocations in the end", scenario)
                .isEqualTo(invocationsInTheEnd);
        assertThat(cluster.db.effects(key)).as("%s: effects", scenario).isEqualTo(1);
        if (during.status() == 201) {
            assertThat(effectId(settled.reply().body())).as("%s: the retry answers the same effect", scenario)
                    .isEqualTo(effectId(during.body()));
        }
        Http.Reply again = Http.post(app.uri(path), token, key, body);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.replayed()).as("%s: a later retry is a replay", scenario).isTrue();
        assertThat(again.body()).isEqualTo(settled.reply().body());
        invocations += (int) cluster.db.invocations(key);
        effects += (int) cluster.db.effects(key);
        lost += cluster.recordHolds(path.startsWith("/api") ? "alice" : "tx", key, settled.reply().body()) ? 0 : 1;
    }

    private static String effectId(String body) {
        Matcher m = EFFECT_ID.matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return m.group(1);
    }
}
