package dev.idem.caffeine;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyEngineContract;

/** The engine's contract (at most once, same result, fencing, waiting duplicates) with the near cache in front. */
class NearCacheEngineConformanceTest extends IdempotencyEngineContract {

    @Override
    protected IdempotencyStore createStore() {
        return NearCacheIdempotencyStore.wrap(new InMemoryIdempotencyStore());
    }
}
