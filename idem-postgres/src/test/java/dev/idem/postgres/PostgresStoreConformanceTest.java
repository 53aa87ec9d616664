package dev.idem.postgres;

import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyStoreContract;

class PostgresStoreConformanceTest extends IdempotencyStoreContract {

    private String table;

    @Override
    protected IdempotencyStore createStore() {
        table = PostgresFixture.newTable();
        return PostgresIdempotencyStore.builder(PostgresFixture.dataSource()).table(table).build();
    }

    @Override
    protected boolean carriesFinishedRecords() {
        return true;
    }

    @Override
    protected void disposeStore(IdempotencyStore store) {
        ((PostgresIdempotencyStore) store).close();
        PostgresFixture.drop(table);
    }
}
