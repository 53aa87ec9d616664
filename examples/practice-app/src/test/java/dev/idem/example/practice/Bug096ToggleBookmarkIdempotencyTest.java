package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.example.practice.adapters.ratelimit.InMemoryRateLimiter;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * BUG-096: a retried toggle flipped the bookmark back. The toggle now requires an Idempotency-Key and a retry
 * replays the first answer; the per-user rate limit runs inside the protected action, so it still applies to new
 * toggles and replays do not consume it.
 */
class Bug096ToggleBookmarkIdempotencyTest extends PracticeAppTestBase {

    private static final int QUESTION = 11;
    private static final String TOGGLE = "/api/bookmarks/" + QUESTION + "/toggle";

    @Autowired
    InMemoryRateLimiter limiter;

    @BeforeEach
    void freshState() {
        limiter.reset("alice");
        jdbc.sql("DELETE FROM bookmarks WHERE user_id = 'alice' AND question_id = ?").param(QUESTION).update();
    }

    private long bookmarked() {
        return count("SELECT count(*) FROM bookmarks WHERE user_id = 'alice' AND question_id = ?", QUESTION);
    }

    @Test
    void aRetriedToggleDoesNotUntoggle() {
        String key = newKey("toggle");
        Reply first = post(TOGGLE, ALICE, key, null);
        Reply retry = post(TOGGLE, ALICE, key, null);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"bookmarked\":true");
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.isReplay()).isTrue();
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(bookmarked()).as("still bookmarked after the retry").isEqualTo(1);

        Reply second = post(TOGGLE, ALICE, newKey("toggle"), null);
        assertThat(second.body()).contains("\"bookmarked\":false");
        assertThat(bookmarked()).isZero();
    }

    @Test
    void toggleRequiresAKey() {
        Reply keyless = post(TOGGLE, ALICE, null, null);
        assertThat(keyless.status()).isEqualTo(400);
        assertThat(keyless.body()).contains("key-missing");
        assertThat(bookmarked()).isZero();
    }

    @Test
    void concurrentDuplicatesToggleOnce() throws Exception {
        String key = newKey("toggle");
        List<Reply> replies = concurrently(10, () -> post(TOGGLE, ALICE, key, null));
        assertThat(replies).extracting(Reply::status).allMatch(s -> s == 200 || s == 409);
        assertThat(replies.stream().filter(r -> r.status() == 200)).extracting(Reply::body)
                .containsOnly("{\"questionId\":" + QUESTION + ",\"bookmarked\":true}");
        assertThat(bookmarked()).isEqualTo(1);
        assertThat(limiter.remaining("alice")).as("one permit for one toggle").isEqualTo(9);
    }

    @Test
    void theRateLimitStillAppliesAndReplaysDoNotConsumeIt() {
        String key = newKey("toggle");
        assertThat(post(TOGGLE, ALICE, key, null).status()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(post(TOGGLE, ALICE, key, null).isReplay()).isTrue();
        }
        assertThat(limiter.remaining("alice")).as("replays take no permit").isEqualTo(9);

        for (int i = 0; i < 9; i++) {
            assertThat(post(TOGGLE, ALICE, newKey("toggle"), null).status()).isEqualTo(200);
        }
        assertThat(limiter.remaining("alice")).isZero();
        String limitedKey = newKey("limited");
        Reply limited = post(TOGGLE, ALICE, limitedKey, null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.contentType()).startsWith("application/problem+json");
        assertThat(limited.body()).contains("too many bookmark toggles");
        assertThat(bookmarked()).as("10 toggles from none: not bookmarked").isZero();

        Reply replay = post(TOGGLE, ALICE, key, null);
        assertThat(replay.status()).as("a replay is served while limited").isEqualTo(200);
        assertThat(replay.isReplay()).isTrue();

        limiter.reset("alice");
        Reply retried = post(TOGGLE, ALICE, limitedKey, null);
        assertThat(retried.status()).as("a 429 is not stored: its retry runs once permits are back").isEqualTo(200);
        assertThat(retried.isReplay()).isFalse();
        assertThat(bookmarked()).isEqualTo(1);
    }

    @Test
    void carolIsNotEntitled() {
        assertThat(post(TOGGLE, CAROL, newKey("toggle"), null).status()).isEqualTo(403);
    }
}
