/**
 * Fixtures for Idem's own tests and for users testing stores: a real PostgreSQL (the server named by
 * {@code IDEM_TEST_PG_URL}, else an embedded one started once per JVM) and a real Redis
 * ({@link dev.idem.testing.RedisTestServer}: the server named by {@code IDEM_TEST_REDIS_URL}; without it,
 * Redis tests are skipped with a clear message). Never a mock.
 */
package dev.idem.testing;
