package dev.idem;

import dev.idem.spi.RecordId;
import java.time.Duration;

/**
 * Observes what the engine decides, for metrics and audit. Every method has an empty default; callbacks
 * run on the calling thread and must be fast and must not throw (exceptions are logged and ignored).
 * Implementations must be thread-safe.
 */
public interface IdempotencyListener {

    /** A no-op listener. */
    IdempotencyListener NONE = new IdempotencyListener() {
    };

    /** The caller won the key; {@code takeover} if it replaced an expired record or a dead owner's lease. */
    default void onClaimed(RecordId id, boolean takeover) {
    }

    /** The action ran and its result was stored (or, when {@code stored} is false, could not be). */
    default void onCompleted(RecordId id, boolean stored) {
    }

    /** A stored result was returned without running the action. */
    default void onResultReplayed(RecordId id) {
    }

    /** A stored error was rethrown without running the action. */
    default void onErrorReplayed(RecordId id) {
    }

    /** The action failed and its error was stored for replay. */
    default void onErrorStored(RecordId id) {
    }

    /** The action failed transiently and the key was released. */
    default void onReleased(RecordId id) {
    }

    /** A duplicate gave up waiting after {@code maxWait}. */
    default void onConflict(RecordId id) {
    }

    /** The key was reused with another request fingerprint. */
    default void onKeyReused(RecordId id) {
    }

    /** An owner tried to write after losing its lease to another owner and was refused (fencing). */
    default void onFencedWrite(RecordId id) {
    }

    /** A duplicate waited {@code waited} for an in-progress record, whatever the outcome. */
    default void onWaited(RecordId id, Duration waited) {
    }

    /** A request without a key ran unprotected (pass-through policy). */
    default void onPassThrough(String action) {
    }

    /**
     * One listener telling all of {@code listeners}, in order, about every decision; a listener that throws is logged
     * and skipped. {@link #NONE} for none, the listener itself for one.
     */
    static IdempotencyListener composite(java.util.List<IdempotencyListener> listeners) {
        return CompositeIdempotencyListener.of(listeners);
    }

    /** {@link #composite(java.util.List)} of {@code listeners}. */
    static IdempotencyListener composite(IdempotencyListener... listeners) {
        return composite(java.util.List.of(listeners));
    }
}
