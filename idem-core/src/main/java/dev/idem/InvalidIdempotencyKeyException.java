package dev.idem;

/** The client's key is empty, too long, or has characters outside printable ASCII. HTTP 400. */
public class InvalidIdempotencyKeyException extends IdempotencyException {

    private static final long serialVersionUID = 1L;

    public InvalidIdempotencyKeyException(String message) {
        super(message);
    }
}
