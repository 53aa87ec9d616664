package dev.idem.example.practice.domain;

/** A rule was broken; the web adapter maps each kind to a problem+json status. */
public abstract sealed class DomainException extends RuntimeException {

    protected DomainException(String message) {
        super(message, null, false, false);
    }

    /** 400: the request is malformed or breaks a rule. */
    public static final class Invalid extends DomainException {
        public Invalid(String message) {
            super(message);
        }
    }

    /** 404: no such thing for this user. */
    public static final class NotFound extends DomainException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** 403: the user is not entitled. */
    public static final class Forbidden extends DomainException {
        public Forbidden(String message) {
            super(message);
        }
    }

    /** 409: the state does not allow it (e.g. a second open checkout). */
    public static final class Conflict extends DomainException {
        private final String type;

        public Conflict(String message) {
            this(null, message);
        }

        /** A conflict of a named kind (the problem {@code type}'s last segment), e.g. {@code already-subscribed}. */
        public Conflict(String type, String message) {
            super(message);
            this.type = type;
        }

        /** The kind of conflict, or null. */
        public String type() {
            return type;
        }
    }

    /** 429: too many requests. */
    public static final class RateLimited extends DomainException {
        public RateLimited(String message) {
            super(message);
        }
    }
}
