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
 *       {@code window}: an identical request within the window is a duplicate (automatic dedup).</li>
 * </ul>
 */
public sealed interface MissingKeyPolicy {

    static MissingKeyPolicy reject() {
        return Reject.INSTANCE;
    }

    static MissingKeyPolicy passThrough() {
        return PassThrough.INSTANCE;
    }

    static MissingKeyPolicy generate() {
        return Generate.INSTANCE;
    }

    static MissingKeyPolicy deriveFromContent(Duration window) {
        return new DeriveFromContent(window);
    }

    /** Refuse requests without a key. */
    enum Reject implements MissingKeyPolicy { INSTANCE }

    /** Run requests without a key unprotected. */
    enum PassThrough implements MissingKeyPolicy { INSTANCE }

    /** Give requests without a key a random server key. */
    enum Generate implements MissingKeyPolicy { INSTANCE }

    /**
     * Use the request fingerprint as the key for {@code window}.
     *
     * @param window how long identical requests count as duplicates; positive
     */
    record DeriveFromContent(Duration window) implements MissingKeyPolicy {
        public DeriveFromContent {
            Objects.requireNonNull(window, "window");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("the dedup window must be positive, got " + window);
            }
        }
    }
}
