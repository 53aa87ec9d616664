package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The server commits and answers, but the connection is cut before the client reads the response (a proxy
 * between them swallows it). The client's retry with the same key gets the stored response, byte for byte the one
 * that was lost, marked {@code Idempotent-Replayed: true}, and the database holds one row. Covered for each of the
 * seeds' actions: start a session, submit an answer, toggle a bookmark (BUG-096) and end the session (BUG-091).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DroppedResponseTest {

    private static final int ROUNDS = 10;
    private static final Pattern SESSION_ID = Pattern.compile("\"sessionId\":\"([0-9a-f-]{36})\"");
    private static final Pattern QUESTION_IDS = Pattern.compile("\"questionIds\":\\[(\\d+)");

    private Cluster cluster;
    private FaultProxy proxy;
    private AppInstance app;
    private int dropped;
    private int lostResults;

    /** The instances under test: on PostgreSQL here, on Redis in {@link RedisDroppedResponseTest}. */
    protected Cluster cluster() {
        return Cluster.get();
    }

    @BeforeAll
    void proxyInFrontOfAnInstance() {
        cluster = cluster();
        app = cluster.instance(1);
        proxy = FaultProxy.start("client-" + app.name, "127.0.0.1", app.port);
    }

    @AfterAll
    void closeProxy() {
        proxy.close();
    }

    @Test
    void retryAfterALostResponseGetsTheStoredResponseAndNothingRunsTwice() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String started = lostThenRetried("/api/practice-sessions", "{\"questionCount\":2}");
            Matcher session = SESSION_ID.matcher(started);
            assertThat(session.find()).as(started).isTrue();
            String sessionId = session.group(1);
            Matcher question = QUESTION_IDS.matcher(started);
            assertThat(question.find()).as(started).isTrue();
            int questionId = Integer.parseInt(question.group(1));
            assertThat(cluster.db.count("SELECT count(*) FROM practice_sessions WHERE id = ?::uuid", sessionId))
                    .isEqualTo(1);

            lostThenRetried("/api/practice-sessions/" + sessionId + "/answers",
                    "{\"questionId\":" + questionId + ",\"choiceId\":\"a\"}");
            assertThat(cluster.db.count("SELECT count(*) FROM attempts WHERE session_id = ?::uuid", sessionId))
                    .as("attempts recorded").isEqualTo(1);

            int bookmarked = 1 + round;
            Http.send(java.net.http.HttpRequest.newBuilder(app.uri("/api/bookmarks/" + bookmarked)).DELETE()
                    .header("Authorization", "Bearer " + Cluster.BOB).build());
            String toggled = lostThenRetried("/api/bookmarks/" + bookmarked + "/toggle", "");
            assertThat(toggled).contains("\"bookmarked\":true");
            assertThat(cluster.db.count("SELECT count(*) FROM bookmarks WHERE user_id = 'bob' AND question_id = ?",
                    bookmarked)).as("BUG-096: the retried toggle did not untoggle").isEqualTo(1);

            String summary = lostThenRetried("/api/practice-sessions/" + sessionId + "/end", "");
            assertThat(summary).contains("\"answered\":1");
            Http.Reply keyless = Http.post(app.uri("/api/practice-sessions/" + sessionId + "/end"), Cluster.BOB, null,
                    "");
            assertThat(keyless.body()).as("BUG-091: ending again returns the same summary").isEqualTo(summary);
        }
        assertThat(lostResults).as("retries whose answer is not the stored record's").isZero();
        Report.row(cluster.fault("response dropped after the server committed"), dropped,
                "1 per key (sessions, attempts and bookmarks counted; the end summary unchanged)", lostResults,
                "every retry got the lost response byte for byte, marked Idempotent-Replayed");
    }

    /** Posts through the proxy, which swallows the response; retries directly and returns the replayed body. */
    private String lostThenRetried(String path, String json) throws Exception {
        String key = "dropped-" + UUID.randomUUID();
        URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port() + path);
        CompletableFuture<byte[]> lost = proxy.dropNextResponse();
        assertThatThrownBy(() -> Http.post(viaProxy, Cluster.BOB, key, json)).isInstanceOf(IOException.class);
        String lostResponse = new String(lost.get(10, TimeUnit.SECONDS), StandardCharsets.ISO_8859_1);
        dropped++;

        Http.Reply retry = Http.post(app.uri(path), Cluster.BOB, key, json);
        assertThat(retry.replayed()).as("retry of %s: %s", path, retry.body()).isTrue();
        assertThat(lostResponse).startsWith("HTTP/1.1 " + retry.status());
        assertThat(retry.body()).isEqualTo(RawHttp.bodyOf(lostResponse));
        if (!cluster.recordHolds("bob", key, retry.body())) {
            lostResults++;
        }
        return retry.body();
    }
}
