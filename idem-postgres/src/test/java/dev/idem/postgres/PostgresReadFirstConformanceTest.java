package dev.idem.postgres;

import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyStoreContract;

/** The store contract with every claim reading first, the order a replay storm switches to ({@link ClaimOrder}). */
class PostgresReadFirstConformanceTest extends IdempotencyStoreContract {

    private String table;

    @Override
    protected IdempotencyStore createStore() {
        table = PostgresFixture.newTable();
        return PostgresIdempotencyStore.builder(PostgresFixture.dataSource()).table(table)
                .claimOrder(ClaimOrder.alwaysReadFirst()).build();
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
