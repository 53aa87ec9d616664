/**
 * Fixtures for Idem's own tests and for users testing stores: a real PostgreSQL (the server named by
 * {@code IDEM_TEST_PG_URL}, else an embedded one started once per JVM) and the Redis URL to test against.
 * Never a mock.
 */
package dev.idem.testing;
