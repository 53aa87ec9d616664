/**
 * The in-memory store: for tests and single-node services that accept losing their records on restart.
 * It gives the same guarantees as every other store within one JVM.
 */
package dev.idem.memory;
