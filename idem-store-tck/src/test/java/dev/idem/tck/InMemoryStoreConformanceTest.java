package dev.idem.tck;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.IdempotencyStore;

class InMemoryStoreConformanceTest extends IdempotencyStoreContract {
    @Override
    protected IdempotencyStore createStore() {
        return new InMemoryIdempotencyStore();
    }
}
