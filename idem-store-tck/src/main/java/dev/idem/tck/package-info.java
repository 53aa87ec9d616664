/**
 * The conformance suite every {@link dev.idem.spi.IdempotencyStore} must pass: extend
 * {@link dev.idem.tck.IdempotencyStoreContract} and {@link dev.idem.tck.IdempotencyEngineContract} in a
 * store module's tests, return a fresh store from {@code createStore()}, and the suites race real threads
 * against it and count executions.
 */
package dev.idem.tck;
