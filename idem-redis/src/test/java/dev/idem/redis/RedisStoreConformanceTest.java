package dev.idem.redis;

import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyStoreContract;
import dev.idem.testing.RedisTestServer;

class RedisStoreConformanceTest extends IdempotencyStoreContract {

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

    @Override
    protected IdempotencyStore createAnotherInstance() {
        return RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(prefix).build();
    }

    @Override
    protected int largestCarriedBody() {
        return WakeUpMessage.MAX_CARRIED_BODY_BYTES;
    }

    /** Redis expires records natively (PEXPIREAT), so pruning deletes nothing. */
    @Override
    protected boolean prunes() {
        return false;
    }
}
