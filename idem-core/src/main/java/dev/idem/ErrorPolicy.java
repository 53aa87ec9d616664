package dev.idem;

/**
 * Decides, per exception thrown by an action, whether it is replayed to retries or releases the key.
 * Implementations must be thread-safe and side-effect free.
 */
@FunctionalInterface
public interface ErrorPolicy {

    /** What happens to the key after an action fails. */
    enum Disposition {
        /** Deterministic error: store it and rethrow it to every retry without running again. */
        REPLAY,
        /** Transient error: delete the claim so a retry runs the action again. */
        RELEASE
    }

    Disposition classify(Throwable error);

    /** Replays errors implementing {@link ReplayableError}; releases every other error. */
    static ErrorPolicy defaultPolicy() {
        return error -> error instanceof ReplayableError ? Disposition.REPLAY : Disposition.RELEASE;
    }

    /** Releases the key on every error. */
    static ErrorPolicy releaseAll() {
        return error -> Disposition.RELEASE;
    }
}
