package dev.idem;

import dev.idem.spi.Fingerprint;
import java.util.Objects;
import java.util.Optional;

/**
 * One logical request to protect: who ({@code scope}), what ({@code action}), the client's key (may be
 * absent) and the request's fingerprint. Immutable and thread-safe.
 */
public final class IdempotencyRequest {

    private final String scope;
    private final String action;
    private final String key;
    private final Fingerprint fingerprint;
    private final MissingKeyPolicy missingKeyPolicy;

    private IdempotencyRequest(Builder b) {
        this.scope = b.scope;
        this.action = b.action;
        this.key = b.key;
        this.fingerprint = b.fingerprint;
        this.missingKeyPolicy = b.missingKeyPolicy;
    }

    /**
     * Starts a request for {@code action} (e.g. {@code practice.start}).
     *
     * @throws IllegalArgumentException if the action is null or blank
     */
    public static Builder builder(String action) {
        return new Builder(action);
    }

    public String scope() {
        return scope;
    }

    public String action() {
        return action;
    }

    /** The raw client key, not yet validated; empty when the client sent none. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** {@link #key()} without the {@code Optional}: the engine reads it on every call. */
    String keyOrNull() {
        return key;
    }

    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** This request's own missing-key policy, overriding the config's; empty to use the config's. */
    public Optional<MissingKeyPolicy> missingKeyPolicy() {
        return Optional.ofNullable(missingKeyPolicy);
    }

    @Override
    public String toString() {
        return "IdempotencyRequest[" + scope + "/" + action + "/" + key + ", " + fingerprint + "]";
    }

    /** Collects a request; not thread-safe. */
    public static final class Builder {
        private final String action;
        private String scope = "";
        private String key;
        private Fingerprint fingerprint = Fingerprint.EMPTY;
        private MissingKeyPolicy missingKeyPolicy;

        private Builder(String action) {
            if (action == null || action.isBlank()) {
                throw new IllegalArgumentException("action must not be blank");
            }
            this.action = action;
        }

        /** The owner of the key (user, tenant, account); keys of different scopes never meet. Default "". */
        public Builder scope(String scope) {
            this.scope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        /** The client's raw key; null or absent means the client sent none. Validated at execution. */
        public Builder key(String key) {
            this.key = key;
            return this;
        }

        public Builder fingerprint(Fingerprint fingerprint) {
            this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
            return this;
        }

        /** Sets the fingerprint to the SHA-256 of {@code payload}, the canonical request bytes. */
        public Builder payload(byte[] payload) {
            return fingerprint(Fingerprint.of(payload));
        }

        public Builder missingKeyPolicy(MissingKeyPolicy policy) {
            this.missingKeyPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public IdempotencyRequest build() {
            return new IdempotencyRequest(this);
        }
    }
}
