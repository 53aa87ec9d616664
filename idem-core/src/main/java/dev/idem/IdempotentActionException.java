package dev.idem;

/**
 * Wraps a checked exception thrown by an action (unchecked exceptions and errors pass through as they
 * are). A replayed checked error is wrapped the same way, so the first call and every retry see the
 * same shape.
 */
public class IdempotentActionException extends IdempotencyException {

    private static final long serialVersionUID = 1L;

    public IdempotentActionException(Throwable cause) {
        super("the idempotent action failed: " + cause, cause);
    }
}
