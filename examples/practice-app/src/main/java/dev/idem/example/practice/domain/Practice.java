package dev.idem.example.practice.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The practice records. */
public final class Practice {

    private Practice() {
    }

    public record Session(UUID id, String userId, List<Integer> questionIds, Instant createdAt, Summary summary) {
        public boolean ended() {
            return summary != null;
        }
    }

    /** What ending a session reports; stored when the session ends and returned unchanged afterwards. */
    public record Summary(UUID sessionId, Instant endedAt, int answered, int correct) {
    }

    public record Attempt(UUID attemptId, UUID sessionId, int questionId, String choiceId, boolean correct) {
    }

    public record Mark(int questionId, boolean marked) {
    }

    public record CheckoutSession(String checkoutSessionId, String url) {
    }

    public record ChatMessage(UUID messageId, UUID chatSessionId, String content, String idempotencyKey) {
    }
}
