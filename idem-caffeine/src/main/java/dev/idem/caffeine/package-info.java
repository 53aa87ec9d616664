/**
 * {@link dev.idem.caffeine.NearCacheIdempotencyStore}: replays of finished records from memory, per instance, in
 * front of any store (Caffeine).
 */
package dev.idem.caffeine;
