/**
 * The PostgreSQL store, Idem's reference backend: {@link dev.idem.postgres.PostgresIdempotencyStore} (plain
 * JDBC over any {@code DataSource}, LISTEN/NOTIFY wake-ups), {@link dev.idem.postgres.PostgresSchema} for the
 * table, and {@link dev.idem.postgres.TransactionalIdempotency}, which commits an action's own writes and
 * its idempotency record in one transaction.
 */
package dev.idem.postgres;
