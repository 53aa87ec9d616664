package dev.idem.client;

/**
 * The server answered 422 {@code key-reused}: the key was already used for a request with another method, path or
 * body. Nothing was run for this request; a new logical call needs a new key.
 */
public final class KeyReusedException extends IdempotencyClientException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String detail;

    public KeyReusedException(String key, String detail) {
        super("the idempotency key " + key + " was already used for another request"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.key = key;
        this.detail = detail == null ? "" : detail;
    }

    /** The key the server refused. */
    public String key() {
        return key;
    }

    /** The server's problem detail, or empty. */
    public String detail() {
        return detail;
    }
}
