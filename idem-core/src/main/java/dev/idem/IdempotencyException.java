package dev.idem;

/**
 * Root of every exception Idem throws on its own account. Subclasses say what went wrong and map to an
 * HTTP status in the servlet layer: {@link InvalidIdempotencyKeyException} and
 * {@link MissingIdempotencyKeyException} (400), {@link IdempotencyKeyReusedException} (422),
 * {@link IdempotencyConflictException} (409), {@link IdempotencyStoreException} (503).
 */
public class IdempotencyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IdempotencyException(String message) {
        super(message);
    }

    public IdempotencyException(String message, Throwable cause) {
        super(message, cause);
    }
}
