package dev.idem.spring;

import dev.idem.servlet.IdempotencyFilterConfig;

/**
 * Adjusts the {@code Idempotency-Key} filter's config after the {@code idem.http.*} properties and the application's
 * {@code ScopeResolver} / {@code ActionResolver} beans were applied (per-route missing-key policies, stored statuses,
 * ...), so that an application changes one setting without rebuilding, and losing, the others. Beans of this type run
 * in {@code @Order}; implementations should be thread-safe, as Spring calls them once at start-up.
 */
@FunctionalInterface
public interface IdempotencyFilterConfigCustomizer {
    void customize(IdempotencyFilterConfig.Builder builder);
}
