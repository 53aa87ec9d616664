package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BUG-091: ending a practice session twice (a retry after a lost response) returned CONFLICT. Now the end is
 * idempotent in the repository (option 2: the stored summary is returned) and also accepts an Idempotency-Key.
 */
class Bug091EndSessionIdempotencyTest extends PracticeAppTestBase {

    private String endedAt(String sessionId) {
        return jdbc.sql("SELECT ended_at::text FROM practice_sessions WHERE id = CAST(? AS uuid)")
                .param(sessionId).query(String.class).single();
    }

    private String sessionWithOneAnswer() {
        String session = startSession(ALICE, 3);
        String id = field(session, "sessionId");
        int question = ints(session, "questionIds").get(0);
        assertThat(post("/api/practice-sessions/" + id + "/answers", ALICE, newKey("answer"),
                "{\"questionId\":" + question + ",\"choiceId\":\"a\"}").status()).isEqualTo(201);
        return id;
    }

    @Test
    void endTwiceWithTheSameKeyReplaysTheSummary() {
        String id = sessionWithOneAnswer();
        String key = newKey("end");
        Reply first = post("/api/practice-sessions/" + id + "/end", ALICE, key, null);
        Reply retry = post("/api/practice-sessions/" + id + "/end", ALICE, key, null);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(field(first.body(), "answered")).isEqualTo("1");
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.isReplay()).isTrue();
        assertThat(retry.body()).isEqualTo(first.body());
    }

    @Test
    void endTwiceWithoutKeyReturns200AndTheIdenticalSummary() {
        String id = sessionWithOneAnswer();
        Reply first = post("/api/practice-sessions/" + id + "/end", ALICE, null, null);
        String endedAt = endedAt(id);
        Reply second = post("/api/practice-sessions/" + id + "/end", ALICE, null, null);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(second.status()).as("not CONFLICT").isEqualTo(200);
        assertThat(second.isReplay()).as("the repository returns the stored summary").isFalse();
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(endedAt(id)).as("ended once").isEqualTo(endedAt);
    }

    @Test
    void endWithKeyThenWithoutKeyOrAnotherKeyReturnsTheSameSummary() {
        String id = sessionWithOneAnswer();
        Reply keyed = post("/api/practice-sessions/" + id + "/end", ALICE, newKey("end"), null);
        Reply keyless = post("/api/practice-sessions/" + id + "/end", ALICE, null, null);
        Reply otherKey = post("/api/practice-sessions/" + id + "/end", ALICE, newKey("end"), null);
        assertThat(List.of(keyed.status(), keyless.status(), otherKey.status())).containsOnly(200);
        assertThat(keyless.body()).isEqualTo(keyed.body());
        assertThat(otherKey.body()).isEqualTo(keyed.body());
    }

    @Test
    void concurrentEndsAllGetTheSameSummary() throws Exception {
        String id = sessionWithOneAnswer();
        List<Reply> replies = concurrently(10, () -> post("/api/practice-sessions/" + id + "/end", ALICE, null, null));
        assertThat(replies).extracting(Reply::status).containsOnly(200);
        assertThat(replies).extracting(Reply::body).containsOnly(replies.get(0).body());
        Reply state = get("/api/practice-sessions/" + id, ALICE);
        assertThat(state.body()).contains("\"ended\":true").contains(field(replies.get(0).body(), "endedAt"));
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefusedAndConcurrentKeyedEndsEndOnce() throws Exception {
        String id = sessionWithOneAnswer();
        String key = newKey("end");
        List<Reply> replies = concurrently(10, () -> post("/api/practice-sessions/" + id + "/end", ALICE, key, null));
        assertThat(replies).extracting(Reply::status).allMatch(s -> s == 200 || s == 409);
        List<Reply> ok = replies.stream().filter(r -> r.status() == 200).toList();
        assertThat(ok).isNotEmpty();
        assertThat(ok).extracting(Reply::body).containsOnly(ok.get(0).body());
        assertThat(ok.stream().filter(r -> !r.isReplay())).hasSize(1);

        Reply reused = post("/api/practice-sessions/" + id + "/end", ALICE, key, "{\"note\":\"other\"}");
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.body()).contains("key-reused");
    }

    @Test
    void answeringAnEndedSessionIsAConflict() {
        String session = startSession(ALICE, 2);
        String id = field(session, "sessionId");
        post("/api/practice-sessions/" + id + "/end", ALICE, null, null);
        Reply late = post("/api/practice-sessions/" + id + "/answers", ALICE, newKey("late"),
                "{\"questionId\":" + ints(session, "questionIds").get(0) + ",\"choiceId\":\"a\"}");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.contentType()).startsWith("application/problem+json");
        assertThat(late.body()).contains("has ended");
    }
}
