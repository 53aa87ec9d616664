package dev.idem.spring;

import dev.idem.IdempotencyConfig;

/** Adjusts the engine's config after the {@code idem.*} properties were applied (e.g. to set a Clock or ErrorPolicy). */
@FunctionalInterface
public interface IdempotencyConfigCustomizer {
    void customize(IdempotencyConfig.Builder builder);
}
