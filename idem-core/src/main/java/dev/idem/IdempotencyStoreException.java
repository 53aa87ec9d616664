package dev.idem;

/**
 * The store could not be read or written. When this is thrown before the action ran, the action did not
 * run (Idem fails closed). HTTP 503.
 */
public class IdempotencyStoreException extends IdempotencyException {

    private static final long serialVersionUID = 1L;

    public IdempotencyStoreException(String message) {
        super(message);
    }

    public IdempotencyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
