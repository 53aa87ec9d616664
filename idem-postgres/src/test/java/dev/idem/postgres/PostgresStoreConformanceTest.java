package dev.idem.postgres;

import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyStoreContract;

class PostgresStoreConformanceTest extends IdempotencyStoreContract {

    private String table;

    @Override
    protected IdempotencyStore createStore() {
        table = PostgresFixture.newTable();
        return configure(PostgresIdempotencyStore.builder(PostgresFixture.dataSource()).table(table)).build();
    }

    /** How this run builds the store (a subclass forces the claim order). */
    PostgresIdempotencyStore.Builder configure(PostgresIdempotencyStore.Builder builder) {
        return builder;
    }

    @Override
    protected IdempotencyStore createAnotherInstance() {
        return PostgresIdempotencyStore.builder(PostgresFixture.dataSource()).table(table).build();
    }

    @Override
    protected int largestCarriedBody() {
        return WakeUpMessage.MAX_CARRIED_BODY_BYTES;
    }

    @Override
    protected void disposeStore(IdempotencyStore store) {
        ((PostgresIdempotencyStore) store).close();
        PostgresFixture.drop(table);
    }
}
