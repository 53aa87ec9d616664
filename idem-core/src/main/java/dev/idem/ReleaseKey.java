package dev.idem;

/**
 * Thrown by an action to say "this run produced nothing to store: release the key, so that a retry runs again".
 * The engine releases the key whatever the {@link ErrorPolicy} says (no policy sees it, so none can store it as a
 * failure for the whole TTL) and rethrows it to the caller, who knows what the run produced (the servlet filter,
 * for one, sends the 503 its application answered). Immutable; thread-safe.
 */
public final class ReleaseKey extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param reason why the run is not stored, for logs */
    public ReleaseKey(String reason) {
        super(reason, null, false, false); // a signal, not an error: no stack trace to fill
    }
}
