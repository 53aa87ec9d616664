package dev.idem.caffeine;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyStoreContract;

/** The whole store contract through the near cache, in front of the in-memory store. */
class NearCacheStoreConformanceTest extends IdempotencyStoreContract {

    @Override
    protected IdempotencyStore createStore() {
        return NearCacheIdempotencyStore.wrap(new InMemoryIdempotencyStore());
    }
}
