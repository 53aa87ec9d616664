package dev.idem;

import java.time.Duration;
import java.util.Objects;

/**
 * What to do with a request that carries no idempotency key. Immutable and thread-safe.
 * <ul>
 *   <li>{@link #reject()}: refuse it ({@link MissingIdempotencyKeyException}, HTTP 400). The default.</li>
 *   <li>{@link #passThrough()}: run the action unprotected.</li>
 *   <li>{@link #generate()}: give it a fresh random server key, so it is recorded like any other request
 *       (storage columns stay NOT NULL, and {@link IdempotencyContext} exposes the key); a retry of such a
 *       request cannot be recognised.</li>
 *   <li>{@link #deriveFromContent(Duration)}: the key is the request fingerprint, and the record lives for
 *       {@code dedupWindow}: an identical request within the window is a duplicate (automatic dedup).</li>
 * </ul>
 * {@link Kind} names each policy where a value must be a constant (Spring properties, annotations), and
 * {@link #of(Kind, Duration)} turns it back into the policy: the one mapping between the two.
 */
public sealed interface MissingKeyPolicy {

    /** The policies by name. */
    enum Kind {
        /** {@link #reject()}. */
        REJECT,
        /** {@link #passThrough()}. */
        PASS_THROUGH,
        /** {@link #generate()}. */
        GENERATE,
        /** {@link #deriveFromContent(Duration)}. */
        DERIVE_FROM_CONTENT
    }

    /** Which policy this is. */
    Kind kind();

    /**
     * The policy of {@code kind}; {@code dedupWindow} is used by {@link Kind#DERIVE_FROM_CONTENT} only.
     *
     * @throws IllegalArgumentException for DERIVE_FROM_CONTENT without a positive window
     */
    static MissingKeyPolicy of(Kind kind, Duration dedupWindow) {
        return switch (Objects.requireNonNull(kind, "kind")) {
            case REJECT -> reject();
            case PASS_THROUGH -> passThrough();
            case GENERATE -> generate();
            case DERIVE_FROM_CONTENT -> deriveFromContent(dedupWindow);
        };
    }

    static MissingKeyPolicy reject() {
        return Reject.INSTANCE;
    }

    static MissingKeyPolicy passThrough() {
        return PassThrough.INSTANCE;
    }

    static MissingKeyPolicy generate() {
        return Generate.INSTANCE;
    }

    static MissingKeyPolicy deriveFromContent(Duration dedupWindow) {
        return new DeriveFromContent(dedupWindow);
    }

    /** Refuse requests without a key. */
    enum Reject implements MissingKeyPolicy {
        INSTANCE;

        @Override
        public Kind kind() {
            return Kind.REJECT;
        }
    }

    /** Run requests without a key unprotected. */
    enum PassThrough implements MissingKeyPolicy {
        INSTANCE;

        @Override
        public Kind kind() {
            return Kind.PASS_THROUGH;
        }
    }

    /** Give requests without a key a random server key. */
    enum Generate implements MissingKeyPolicy {
        INSTANCE;

        @Override
        public Kind kind() {
            return Kind.GENERATE;
        }
    }

    /**
     * Use the request fingerprint as the key for {@code dedupWindow}.
     *
     * @param dedupWindow how long identical requests count as duplicates; positive
     */
    record DeriveFromContent(Duration dedupWindow) implements MissingKeyPolicy {
        public DeriveFromContent {
            Objects.requireNonNull(dedupWindow, "dedupWindow");
            if (dedupWindow.isNegative() || dedupWindow.isZero()) {
                throw new IllegalArgumentException("the dedup window must be positive, got " + dedupWindow);
            }
        }

        @Override
        public Kind kind() {
            return Kind.DERIVE_FROM_CONTENT;
        }
    }
}
