package dev.idem;

/** The action requires a key (policy {@link MissingKeyPolicy#reject()}) and the request has none. HTTP 400. */
public class MissingIdempotencyKeyException extends IdempotencyException {

    private static final long serialVersionUID = 1L;

    public MissingIdempotencyKeyException(String action) {
        super("an idempotency key is required for action '" + action + "'");
    }
}
