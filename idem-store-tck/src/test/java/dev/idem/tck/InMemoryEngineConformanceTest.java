package dev.idem.tck;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.IdempotencyStore;

class InMemoryEngineConformanceTest extends IdempotencyEngineContract {
    @Override
    protected IdempotencyStore createStore() {
        return new InMemoryIdempotencyStore();
    }
}
