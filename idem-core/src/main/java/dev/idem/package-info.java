/**
 * Idem's public API: run a state-changing action at most once per idempotency key and give every retry
 * the same result.
 *
 * <p>Start with {@link dev.idem.Idempotency}: build it from an {@link dev.idem.spi.IdempotencyStore} and an
 * {@link dev.idem.IdempotencyConfig}, then call {@code execute(request, resultType, action)}. Every type
 * here is immutable and thread-safe unless its javadoc says otherwise.
 */
package dev.idem;
