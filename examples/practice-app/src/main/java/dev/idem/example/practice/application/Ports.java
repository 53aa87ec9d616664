package dev.idem.example.practice.application;

import dev.idem.example.practice.domain.Practice.Attempt;
import dev.idem.example.practice.domain.Practice.ChatMessage;
import dev.idem.example.practice.domain.Practice.CheckoutSession;
import dev.idem.example.practice.domain.Practice.Mark;
import dev.idem.example.practice.domain.Practice.Session;
import dev.idem.example.practice.domain.Practice.Summary;
import dev.idem.example.practice.domain.Question;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The ports the use cases need; the adapters implement them. */
public final class Ports {

    private Ports() {
    }

    public interface Users {
        boolean isEntitled(String userId);

        /** Makes the user entitled to the paid features (a paid subscription). */
        void entitle(String userId);
    }

    public interface Questions {
        List<Question> all();

        Optional<Question> find(int id);
    }

    public interface PracticeSessions {
        Session create(String userId, List<Integer> questionIds);

        Optional<Session> find(UUID sessionId, String userId);

        Attempt addAttempt(UUID sessionId, int questionId, String choiceId, boolean correct);

        List<Attempt> attempts(UUID sessionId);

        /**
         * Ends the session, or returns the summary stored when it ended: idempotent (BUG-091), never a conflict.
         */
        Summary end(UUID sessionId);

        void mark(UUID sessionId, int questionId, boolean marked);

        List<Mark> marks(UUID sessionId);
    }

    public interface Bookmarks {
        void add(String userId, int questionId);

        void remove(String userId, int questionId);

        /** Flips the bookmark in one transaction; true when it is now bookmarked. */
        boolean toggle(String userId, int questionId);

        List<Integer> list(String userId);
    }

    public interface Checkouts {
        /**
         * Claims the user's single open checkout slot, open for {@code expiry}; false when the user already has one
         * open.
         */
        boolean claimOpen(UUID id, String userId, String plan, Duration expiry);

        void attachGatewaySession(UUID id, CheckoutSession session);

        void release(UUID id);

        /** The user's open checkout, once its gateway session is attached. */
        Optional<CheckoutSession> findOpen(String userId);

        /** Closes the open checkouts past their expiry (of one user, or of all when {@code userId} is null). */
        int expireOverdue(String userId);

        /** The checkout of a gateway session, whatever its status. */
        Optional<Checkout> findByGatewaySession(String gatewaySessionId);

        /** Sets the status of a checkout and the time it closed. */
        void close(UUID id, String status);
    }

    /** A checkout as the billing rules see it: {@code status} is open, completed or expired. */
    public record Checkout(UUID id, String userId, String plan, String status) {
    }

    public interface Subscriptions {
        boolean isActive(String userId);

        /** The plan of the user's active subscription, if there is one. */
        Optional<String> activePlan(String userId);

        /** Makes (or keeps) the user's subscription active, from the paid checkout. */
        void activate(String userId, String plan, UUID checkoutId);
    }

    public interface Chats {
        UUID createSession(String userId);

        boolean exists(UUID chatSessionId, String userId);

        ChatMessage addMessage(UUID chatSessionId, String content, String idempotencyKey);
    }

    /** A per-user rate limit. */
    public interface RateLimiter {
        /** Takes one permit; false when the user has none left now. */
        boolean tryAcquire(String userId);
    }
}
