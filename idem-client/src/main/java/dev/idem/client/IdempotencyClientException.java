package dev.idem.client;

/** A keyed call that cannot go on, for a reason the caller must fix; the subclasses say which. */
public class IdempotencyClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IdempotencyClientException(String message) {
        super(message);
    }

    public IdempotencyClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
