package dev.idem.postgres;

/** The store contract with every claim reading first, the order a replay storm switches to ({@link ClaimOrder}). */
class PostgresReadFirstConformanceTest extends PostgresStoreConformanceTest {

    @Override
    PostgresIdempotencyStore.Builder configure(PostgresIdempotencyStore.Builder builder) {
        return builder.claimOrder(ClaimOrder.alwaysReadFirst());
    }
}
