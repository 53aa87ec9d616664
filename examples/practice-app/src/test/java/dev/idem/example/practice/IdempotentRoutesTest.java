package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Every keyed POST route: first call, retry with the same key (identical status and body, Idempotent-Replayed, no
 * second row), the same key with another body (422), and 10 concurrent duplicates (exactly one row).
 */
class IdempotentRoutesTest extends PracticeAppTestBase {

    private void assertIdempotent(String path, String token, String body, String otherBody, int status,
                                  LongSupplier rows, Runnable beforeConcurrent) throws Exception {
        long before = rows.getAsLong();
        String key = newKey("route");

        Reply first = post(path, token, key, body);
        assertThat(first.status()).as(first.body()).isEqualTo(status);
        assertThat(first.isReplay()).isFalse();
        assertThat(rows.getAsLong()).isEqualTo(before + 1);

        Reply retry = post(path, token, key, body);
        assertThat(retry.status()).isEqualTo(status);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.isReplay()).isTrue();
        assertThat(rows.getAsLong()).as("no second row").isEqualTo(before + 1);

        Reply reused = post(path, token, key, otherBody);
        assertThat(reused.status()).as(reused.body()).isEqualTo(422);
        assertThat(reused.contentType()).startsWith("application/problem+json");
        assertThat(reused.body()).contains("key-reused");
        assertThat(rows.getAsLong()).isEqualTo(before + 1);

        beforeConcurrent.run();
        String concurrentKey = newKey("concurrent");
        List<Reply> replies = concurrently(10, () -> post(path, token, concurrentKey, body));
        assertThat(replies).extracting(Reply::status).allMatch(s -> s == status || s == 409, "" + status + " or 409");
        List<Reply> ok = replies.stream().filter(r -> r.status() == status).toList();
        assertThat(ok).isNotEmpty();
        assertThat(ok).extracting(Reply::body).containsOnly(ok.get(0).body());
        assertThat(ok.stream().filter(r -> !r.isReplay())).hasSize(1);
        assertThat(rows.getAsLong()).as("exactly one row for 10 concurrent duplicates").isEqualTo(before + 2);
    }

    @Test
    void startPracticeSession() throws Exception {
        assertIdempotent("/api/practice-sessions", BOB, "{\"questionCount\":5,\"tags\":[\"math\"]}",
                "{\"questionCount\":6,\"tags\":[\"math\"]}", 201,
                () -> count("SELECT count(*) FROM practice_sessions WHERE user_id = 'bob'"), () -> { });
    }

    @Test
    void submitAnswer() throws Exception {
        String session = startSession(BOB, 3);
        String id = field(session, "sessionId");
        int question = ints(session, "questionIds").get(0);
        assertIdempotent("/api/practice-sessions/" + id + "/answers", BOB,
                "{\"questionId\":" + question + ",\"choiceId\":\"a\"}",
                "{\"questionId\":" + question + ",\"choiceId\":\"b\"}", 201,
                () -> count("SELECT count(*) FROM attempts WHERE session_id = CAST(? AS uuid)", id), () -> { });
    }

    @Test
    void createCheckoutSession() throws Exception {
        closeOpenCheckouts("bob");
        assertIdempotent("/api/billing/checkout-sessions", BOB, "{\"plan\":\"monthly\"}", "{\"plan\":\"yearly\"}", 201,
                () -> count("SELECT count(*) FROM checkout_sessions WHERE user_id = 'bob'"),
                () -> closeOpenCheckouts("bob"));
        closeOpenCheckouts("bob");
    }

    @Test
    void createChatSession() throws Exception {
        assertIdempotent("/api/chat-sessions", BOB, "{}", "{\"topic\":\"other\"}", 201,
                () -> count("SELECT count(*) FROM chat_sessions WHERE user_id = 'bob'"), () -> { });
    }

    @Test
    void postChatMessage() throws Exception {
        String chat = field(post("/api/chat-sessions", BOB, newKey("chat"), "{}").body(), "chatSessionId");
        assertIdempotent("/api/chat-sessions/" + chat + "/messages", BOB, "{\"content\":\"hello\"}",
                "{\"content\":\"hello again\"}", 201,
                () -> count("SELECT count(*) FROM chat_messages WHERE session_id = CAST(? AS uuid)", chat), () -> { });
    }

    @Test
    void keyIsRequiredOnKeyedRoutes() {
        Reply reply = post("/api/practice-sessions", BOB, null, "{\"questionCount\":3}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body()).contains("key-missing");
    }

    @Test
    void keysAreScopedPerUser() {
        String key = newKey("shared");
        Reply alice = post("/api/practice-sessions", ALICE, key, "{\"questionCount\":2}");
        Reply bob = post("/api/practice-sessions", BOB, key, "{\"questionCount\":2}");
        assertThat(alice.status()).isEqualTo(201);
        assertThat(bob.status()).isEqualTo(201);
        assertThat(bob.isReplay()).isFalse();
        assertThat(field(bob.body(), "sessionId")).isNotEqualTo(field(alice.body(), "sessionId"));
    }

    @Test
    void missingOrUnknownTokenIs401AndUnentitledUserIs403() {
        Reply missing = get("/api/questions", null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(get("/api/questions", "nope").status()).isEqualTo(401);

        Reply carol = post("/api/practice-sessions", CAROL, newKey("carol"), "{\"questionCount\":3}");
        assertThat(carol.status()).isEqualTo(403);
        assertThat(carol.contentType()).startsWith("application/problem+json");
        assertThat(carol.body()).contains("no active subscription");
    }

    @Test
    void errorsAreProblemsWithClearDetailAndNoStackTrace() {
        Reply invalid = post("/api/practice-sessions", BOB, newKey("bad"), "{\"questionCount\":500}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("questionCount must be between 1 and 50");
        Reply malformed = post("/api/practice-sessions", BOB, newKey("bad"), "{not json");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        Reply unknown = get("/api/practice-sessions/00000000-0000-0000-0000-000000000000", BOB);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("no practice session");
        Reply othersSession = get("/api/practice-sessions/" + field(startSession(ALICE, 2), "sessionId"), BOB);
        assertThat(othersSession.status()).isEqualTo(404);
        Reply badId = get("/api/practice-sessions/not-a-uuid", BOB);
        assertThat(badId.status()).isEqualTo(400);
        for (Reply reply : List.of(invalid, malformed, unknown, othersSession, badId)) {
            assertThat(reply.contentType()).startsWith("application/problem+json");
            assertThat(reply.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void questionBankHasNoAnswers() {
        Reply bank = get("/api/questions", BOB);
        assertThat(bank.status()).isEqualTo(200);
        assertThat(bank.body()).contains("\"stem\"").contains("\"choices\"").doesNotContain("correct");
        assertThat(count("SELECT count(*) FROM questions")).isGreaterThanOrEqualTo(30);
        assertThat(count("SELECT count(*) FROM questions q WHERE (SELECT count(*) FROM choices c"
                + " WHERE c.question_id = q.id) <> 4")).isZero();
    }

    @Test
    void markIsASettingNotAToggle() {
        String session = startSession(BOB, 3);
        String id = field(session, "sessionId");
        int question = ints(session, "questionIds").get(1);
        String path = "/api/practice-sessions/" + id + "/questions/" + question + "/mark";
        assertThat(send("PUT", path, BOB, null, "{\"marked\":true}").status()).isEqualTo(200);
        assertThat(send("PUT", path, BOB, null, "{\"marked\":true}").body()).contains("\"marked\":true");
        assertThat(count("SELECT count(*) FROM marks WHERE session_id = CAST(? AS uuid) AND marked", id)).isEqualTo(1);
        assertThat(send("PUT", path, BOB, null, "{\"marked\":false}").body()).contains("\"marked\":false");
        Reply state = get("/api/practice-sessions/" + id, BOB);
        assertThat(state.body()).contains("\"marks\":[{\"questionId\":" + question + ",\"marked\":false}]")
                .contains("\"ended\":false");
    }

    @Test
    void explicitBookmarksAreNaturallyIdempotent() {
        send("DELETE", "/api/bookmarks/9", BOB, null, null);
        assertThat(send("PUT", "/api/bookmarks/9", BOB, null, null).status()).isEqualTo(200);
        assertThat(send("PUT", "/api/bookmarks/9", BOB, null, null).status()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM bookmarks WHERE user_id = 'bob' AND question_id = 9")).isEqualTo(1);
        assertThat(ints(get("/api/bookmarks", BOB).body(), "questionIds")).contains(9);
        assertThat(send("DELETE", "/api/bookmarks/9", BOB, null, null).status()).isEqualTo(200);
        assertThat(send("DELETE", "/api/bookmarks/9", BOB, null, null).status()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM bookmarks WHERE user_id = 'bob' AND question_id = 9")).isZero();
        assertThat(send("PUT", "/api/bookmarks/9999", BOB, null, null).status()).isEqualTo(404);
    }

    @Test
    void actuatorHealthAndMetricsAreExposed() {
        Reply health = send("GET", "/actuator/health", null, null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        post("/api/practice-sessions", BOB, newKey("m"), "{\"questionCount\":1}");
        Reply metrics = send("GET", "/actuator/metrics/idem.claims", null, null, null);
        assertThat(metrics.status()).as(metrics.body()).isEqualTo(200);
    }

    @Test
    void bodiesThatAreNotJsonAre415ProblemsAndLeaveNoRecordSoTheKeyCanBeUsedAgain() {
        String key = newKey("media");
        for (String contentType : List.of("*/*", "multipart/form-data; boundary=x", "text/plain")) {
            Reply refused = send("POST", "/api/practice-sessions", BOB, key, "{\"questionCount\":2}", contentType);
            assertThat(refused.status()).as(contentType).isEqualTo(415);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        Reply malformed = post("/api/practice-sessions", BOB, key, "{\"questionCount\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(count("SELECT count(*) FROM idempotency_keys WHERE idem_key = ?", key)).isZero();

        Reply corrected = post("/api/practice-sessions", BOB, key, "{\"questionCount\":2}");
        assertThat(corrected.status()).as("the refused requests left the key unused").isEqualTo(201);
    }
}
