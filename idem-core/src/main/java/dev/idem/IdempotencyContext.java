package dev.idem;

import dev.idem.spi.Fingerprint;
import dev.idem.spi.RecordId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * What a running action knows about the key that protects it: its scope, action and key, and stable
 * derived keys for downstream calls (e.g. Stripe's {@code Idempotency-Key}). Bound to the thread that runs
 * the action for exactly as long as it runs. Immutable.
 */
public final class IdempotencyContext {

    private static final ThreadLocal<IdempotencyContext> CURRENT = new ThreadLocal<>();

    private final RecordId id;

    IdempotencyContext(RecordId id) {
        this.id = Objects.requireNonNull(id, "id");
    }

    /**
     * The context of the action running on this thread.
     *
     * @throws IllegalStateException if no idempotent action is running on this thread
     */
    public static IdempotencyContext current() {
        IdempotencyContext context = CURRENT.get();
        if (context == null) {
            throw new IllegalStateException("no idempotent action is running on this thread");
        }
        return context;
    }

    /** The context of the action running on this thread, if any. */
    public static Optional<IdempotencyContext> find() {
        return Optional.ofNullable(CURRENT.get());
    }

    public String scope() {
        return id.scope();
    }

    public String action() {
        return id.action();
    }

    /** The key protecting the action (the client's, generated, or derived from content). */
    public String key() {
        return id.key();
    }

    /**
     * A key for one downstream step of this action, e.g. {@code derivedKey("stripe.checkout")}. It depends only
     * on (scope, action, key, step), so every retry of the same request forwards the same key, and other
     * actions, users or steps get other keys. 48 characters of {@code [A-Za-z0-9_-]}, never built from a clock.
     */
    public String derivedKey(String step) {
        if (step == null || step.isBlank()) {
            throw new IllegalArgumentException("step must not be blank");
        }
        MessageDigest sha = Fingerprint.sha256();
        sha.update(id.digest().getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(step.getBytes(StandardCharsets.UTF_8));
        return "idem_" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
    }

    /** Binds {@code context} to this thread until the returned scope is closed. */
    static Scope enter(IdempotencyContext context) {
        IdempotencyContext previous = CURRENT.get();
        CURRENT.set(context);
        // Restoring null keeps this thread's map entry (remove() would drop it and the next action would allocate
        // a new one): one null-valued entry per thread that ever ran an action.
        return () -> CURRENT.set(previous);
    }

    @Override
    public String toString() {
        return "IdempotencyContext[" + id + "]";
    }

    /** Restores the previous context when closed. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
