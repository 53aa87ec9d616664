package dev.idem;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The engine's settings. Immutable and thread-safe; {@link Builder#build()} validates every value, so a
 * config that exists is a valid one. Defaults follow ADR-015: records live 24 h, a duplicate waits at
 * most 2 s polling every 50 ms, and an owner's lease is 30 s, renewed every 10 s while the action runs.
 */
public final class IdempotencyConfig {

    /** The largest configurable key length. */
    public static final int MAX_KEY_LENGTH_LIMIT = 1024;

    private final Duration ttl;
    private final Duration lease;
    private final Duration renewalInterval;
    private final Duration renewalIntervalSetting; // null when derived from the lease
    private final Duration maxWait;
    private final Duration pollInterval;
    private final int maxKeyLength;
    private final MissingKeyPolicy missingKeyPolicy;
    private final ErrorPolicy errorPolicy;
    private final Clock clock;
    private final ResultEncryption encryption;

    private IdempotencyConfig(Builder b) {
        this.ttl = b.ttl;
        this.lease = b.lease;
        this.renewalInterval = b.renewalInterval != null ? b.renewalInterval : b.lease.dividedBy(3);
        this.renewalIntervalSetting = b.renewalInterval;
        this.maxWait = b.maxWait;
        this.pollInterval = b.pollInterval;
        this.maxKeyLength = b.maxKeyLength;
        this.missingKeyPolicy = b.missingKeyPolicy;
        this.errorPolicy = b.errorPolicy;
        this.clock = b.clock;
        this.encryption = b.encryption;
    }

    public static IdempotencyConfig ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from {@code base}'s values. A renewal interval {@code base} left at its default
     * stays the default, a third of whatever lease the new builder ends up with.
     */
    public static Builder from(IdempotencyConfig base) {
        Builder b = new Builder();
        b.ttl = base.ttl;
        b.lease = base.lease;
        b.renewalInterval = base.renewalIntervalSetting; // a default renewal interval follows the new lease
        b.maxWait = base.maxWait;
        b.pollInterval = base.pollInterval;
        b.maxKeyLength = base.maxKeyLength;
        b.missingKeyPolicy = base.missingKeyPolicy;
        b.errorPolicy = base.errorPolicy;
        b.clock = base.clock;
        b.encryption = base.encryption;
        return b;
    }

    /** How long a finished record is replayed (and a key stays taken). Default 24 h. */
    public Duration ttl() {
        return ttl;
    }

    /** How long an owner holds a key without renewing; a dead owner blocks its key at most this long. Default 30 s. */
    public Duration lease() {
        return lease;
    }

    /** How stored results are encrypted at rest; empty (the default) when they are stored as the codec wrote them. */
    public java.util.Optional<ResultEncryption> encryption() {
        return java.util.Optional.ofNullable(encryption);
    }

    /** How often a running owner renews its lease. Default a third of the lease. */
    public Duration renewalInterval() {
        return renewalInterval;
    }

    /** How long a duplicate waits for the first request to finish before a conflict. Default 2 s. */
    public Duration maxWait() {
        return maxWait;
    }

    /** The fallback polling period of a waiting duplicate when no push signal arrives. Default 50 ms. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** The longest accepted key. Default 255. */
    public int maxKeyLength() {
        return maxKeyLength;
    }

    /** What to do with requests without a key, unless the request overrides it. Default reject. */
    public MissingKeyPolicy missingKeyPolicy() {
        return missingKeyPolicy;
    }

    public ErrorPolicy errorPolicy() {
        return errorPolicy;
    }

    /** The one clock every expiry decision uses. Default the system UTC clock. */
    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "IdempotencyConfig[ttl=" + ttl + ", lease=" + lease + ", renewalInterval=" + renewalInterval
                + ", maxWait=" + maxWait + ", pollInterval=" + pollInterval + ", maxKeyLength=" + maxKeyLength
                + ", missingKeyPolicy=" + missingKeyPolicy + "]";
    }

    /** Collects settings; not thread-safe. */
    public static final class Builder {
        private Duration ttl = Duration.ofHours(24);
        private Duration lease = Duration.ofSeconds(30);
        private Duration renewalInterval;
        private Duration maxWait = Duration.ofSeconds(2);
        private Duration pollInterval = Duration.ofMillis(50);
        private int maxKeyLength = IdempotencyKey.DEFAULT_MAX_LENGTH;
        private MissingKeyPolicy missingKeyPolicy = MissingKeyPolicy.reject();
        private ErrorPolicy errorPolicy = ErrorPolicy.defaultPolicy();
        private Clock clock = Clock.systemUTC();
        private ResultEncryption encryption;

        private Builder() {
        }

        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        /** Overrides the default of a third of the lease; must be shorter than the lease. */
        public Builder renewalInterval(Duration renewalInterval) {
            this.renewalInterval = renewalInterval;
            return this;
        }

        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        public Builder maxKeyLength(int maxKeyLength) {
            this.maxKeyLength = maxKeyLength;
            return this;
        }

        public Builder missingKeyPolicy(MissingKeyPolicy missingKeyPolicy) {
            this.missingKeyPolicy = missingKeyPolicy;
            return this;
        }

        public Builder errorPolicy(ErrorPolicy errorPolicy) {
            this.errorPolicy = errorPolicy;
            return this;
        }

        /** Encrypts stored results at rest with {@code encryption}; null (the default) stores them in plain. */
        public Builder encryption(ResultEncryption encryption) {
            this.encryption = encryption;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public IdempotencyConfig build() {
            positive("ttl", ttl);
            positive("lease", lease);
            positive("pollInterval", pollInterval);
            Objects.requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
            }
            if (renewalInterval != null) {
                positive("renewalInterval", renewalInterval);
                if (renewalInterval.compareTo(lease) >= 0) {
                    throw new IllegalArgumentException("renewalInterval (" + renewalInterval
                            + ") must be shorter than the lease (" + lease + ")");
                }
            }
            if (lease.compareTo(ttl) > 0) {
                throw new IllegalArgumentException("the lease (" + lease + ") must not exceed the ttl (" + ttl + ")");
            }
            if (maxKeyLength < 1 || maxKeyLength > MAX_KEY_LENGTH_LIMIT) {
                throw new IllegalArgumentException(
                        "maxKeyLength must be within 1.." + MAX_KEY_LENGTH_LIMIT + ", got " + maxKeyLength);
            }
            Objects.requireNonNull(missingKeyPolicy, "missingKeyPolicy");
            Objects.requireNonNull(errorPolicy, "errorPolicy");
            Objects.requireNonNull(clock, "clock");
            return new IdempotencyConfig(this);
        }

        private static void positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
        }
    }
}
