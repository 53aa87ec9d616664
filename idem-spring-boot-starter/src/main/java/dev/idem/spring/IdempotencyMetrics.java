package dev.idem.spring;

import dev.idem.IdempotencyListener;
import dev.idem.micrometer.MeteredIdempotencyStore;
import dev.idem.micrometer.MicrometerIdempotencyListener;
import dev.idem.spi.IdempotencyStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Micrometer for Idem, when Micrometer is on the classpath: the listener, the store timer and the pruning counter,
 * each a no-op while the application has no {@link MeterRegistry} bean. Kept apart so that the rest of the
 * auto-configuration never names a Micrometer type, and runs without Micrometer.
 */
final class IdempotencyMetrics {

    private final ObjectProvider<MeterRegistry> registry;

    IdempotencyMetrics(ObjectProvider<MeterRegistry> registry) {
        this.registry = registry;
    }

    IdempotencyListener listener() {
        MeterRegistry meters = registry.getIfAvailable();
        return meters != null ? new MicrometerIdempotencyListener(meters) : IdempotencyListener.NONE;
    }

    IdempotencyStore timed(IdempotencyStore store) {
        MeterRegistry meters = registry.getIfAvailable();
        return meters != null ? new MeteredIdempotencyStore(store, meters) : store;
    }

    void countPruned(int rows) {
        MeterRegistry meters = registry.getIfAvailable();
        if (meters != null && rows > 0) {
            meters.counter("idem.pruned").increment(rows);
        }
    }
}
