package dev.idem.redis;

import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyEngineContract;
import dev.idem.testing.RedisTestServer;

class RedisEngineConformanceTest extends IdempotencyEngineContract {

    private String prefix;

    @Override
    protected IdempotencyStore createStore() {
        RedisTestServer.assumeAvailable(); // each test is reported as skipped, with the reason, without Redis
        prefix = RedisTestServer.uniquePrefix();
        return RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(prefix).build();
    }

    @Override
    protected void disposeStore(IdempotencyStore store) {
        if (store != null) {
            ((RedisIdempotencyStore) store).close();
        }
        if (prefix != null) {
            RedisTestServer.deleteKeys(prefix);
        }
    }
}
