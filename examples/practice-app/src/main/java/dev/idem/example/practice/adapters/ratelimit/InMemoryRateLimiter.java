package dev.idem.example.practice.adapters.ratelimit;

import dev.idem.example.practice.application.Ports;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** A sliding-window limit per user, in memory (one instance). */
@Component
public class InMemoryRateLimiter implements Ports.RateLimiter {

    private final int permits;
    private final Duration window;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Deque<Long>> taken = new ConcurrentHashMap<>();

    public InMemoryRateLimiter(@Value("${practice.bookmark-toggle.limit:10}") int permits,
                               @Value("${practice.bookmark-toggle.window:1m}") Duration window) {
        this.permits = permits;
        this.window = window;
    }

    @Override
    public boolean tryAcquire(String userId) {
        long now = clock.millis();
        Deque<Long> times = taken.computeIfAbsent(userId, u -> new ArrayDeque<>());
        synchronized (times) {
            while (!times.isEmpty() && times.peekFirst() <= now - window.toMillis()) {
                times.pollFirst();
            }
            if (times.size() >= permits) {
                return false;
            }
            times.addLast(now);
            return true;
        }
    }

    /** Permits the user has left now. */
    public int remaining(String userId) {
        Deque<Long> times = taken.get(userId);
        if (times == null) {
            return permits;
        }
        synchronized (times) {
            long now = clock.millis();
            return permits - (int) times.stream().filter(t -> t > now - window.toMillis()).count();
        }
    }

    /** Forgets the user's permits (tests). */
    public void reset(String userId) {
        taken.remove(userId);
    }
}
