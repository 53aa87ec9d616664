package dev.idem.postgres;

import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyEngineContract;

class PostgresEngineConformanceTest extends IdempotencyEngineContract {

    private String table;

    @Override
    protected IdempotencyStore createStore() {
        table = PostgresFixture.newTable();
        return PostgresIdempotencyStore.builder(PostgresFixture.dataSource()).table(table).build();
    }

    @Override
    protected void disposeStore(IdempotencyStore store) {
        ((PostgresIdempotencyStore) store).close();
        PostgresFixture.drop(table);
    }
}
