package dev.idem.client;

/**
 * A keyed request whose body cannot be sent a second time (a one-shot stream, a body of unknown length, or one over
 * the buffering limit). Thrown before anything is sent: a retry could not resend the body under the same key.
 */
public final class UnrepeatableBodyException extends IdempotencyClientException {

    private static final long serialVersionUID = 1L;

    public UnrepeatableBodyException(String message) {
        super(message);
    }
}
