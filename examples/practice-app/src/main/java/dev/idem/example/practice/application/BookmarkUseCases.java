package dev.idem.example.practice.application;

import dev.idem.example.practice.domain.DomainException;
import java.util.List;
import org.springframework.stereotype.Service;

/** Bookmarks: explicit set/unset (naturally idempotent) and a rate-limited toggle (idempotent through its key). */
@Service
public class BookmarkUseCases {

    private final Ports.Users users;
    private final Ports.Questions questions;
    private final Ports.Bookmarks bookmarks;
    private final Ports.RateLimiter toggleLimiter;

    public BookmarkUseCases(Ports.Users users, Ports.Questions questions, Ports.Bookmarks bookmarks,
                            Ports.RateLimiter toggleLimiter) {
        this.users = users;
        this.questions = questions;
        this.bookmarks = bookmarks;
        this.toggleLimiter = toggleLimiter;
    }

    public void add(String userId, int questionId) {
        check(userId, questionId);
        bookmarks.add(userId, questionId);
    }

    public void remove(String userId, int questionId) {
        check(userId, questionId);
        bookmarks.remove(userId, questionId);
    }

    public List<Integer> list(String userId) {
        requireEntitled(userId);
        return bookmarks.list(userId);
    }

    /** Runs inside the protected action: a replayed toggle neither flips again nor takes a permit. */
    public boolean toggle(String userId, int questionId) {
        check(userId, questionId);
        if (!toggleLimiter.tryAcquire(userId)) {
            throw new DomainException.RateLimited("too many bookmark toggles; try again in a minute");
        }
        return bookmarks.toggle(userId, questionId);
    }

    private void check(String userId, int questionId) {
        requireEntitled(userId);
        if (questions.find(questionId).isEmpty()) {
            throw new DomainException.NotFound("no question " + questionId);
        }
    }

    private void requireEntitled(String userId) {
        if (!users.isEntitled(userId)) {
            throw new DomainException.Forbidden("user " + userId + " has no active subscription");
        }
    }
}
