/**
 * The store contract: what a persistence backend must do so that the engine can guarantee
 * at-most-once execution per {@link dev.idem.spi.RecordId}.
 *
 * <p>A store keeps one record per (scope, action, key). It must make {@code claim} atomic (exactly one
 * caller wins a key that is absent, expired, or whose in-progress lease has expired with the same
 * fingerprint), guard every later write with the owner token it handed out (fencing), and treat records
 * past {@code expiresAt} as absent. Time is always passed in by the engine; stores never read a clock
 * of their own, so expiry is decided by one clock. Every store must pass {@code idem-store-tck}.
 */
package dev.idem.spi;
