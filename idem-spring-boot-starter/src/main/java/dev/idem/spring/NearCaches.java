package dev.idem.spring;

import dev.idem.caffeine.NearCacheIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import org.springframework.util.ClassUtils;

/**
 * {@code idem.near-cache.*}: the engine's store behind a {@link NearCacheIdempotencyStore}. Only loaded when the
 * property is on, so applications without idem-caffeine never touch its classes. Transactional routes and
 * {@code TransactionalIdempotency} bypass it (they run on a transaction-bound store). Stateless.
 */
final class NearCaches {

    private static final String CLASS = "dev.idem.caffeine.NearCacheIdempotencyStore";

    private NearCaches() {
    }

    static IdempotencyStore wrap(IdempotencyStore store, IdempotencyProperties.NearCache settings,
                                 ClassLoader classLoader) {
        if (!ClassUtils.isPresent(CLASS, classLoader)) {
            throw new IllegalStateException("idem.near-cache.enabled=true needs dev.idem:idem-caffeine on the class"
                    + " path");
        }
        return Holder.wrap(store, settings);
    }

    /** Touches idem-caffeine only once its presence is checked. */
    private static final class Holder {
        static IdempotencyStore wrap(IdempotencyStore store, IdempotencyProperties.NearCache settings) {
            return NearCacheIdempotencyStore.builder(store).maximumEntries(settings.getMaximumEntries())
                    .maximumBytes(settings.getMaximumBytes().toBytes()).staleness(settings.getStaleness()).build();
        }
    }
}
