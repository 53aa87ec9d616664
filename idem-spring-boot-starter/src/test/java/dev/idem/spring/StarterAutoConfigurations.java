package dev.idem.spring;

import org.springframework.boot.autoconfigure.AutoConfigurations;

/** Every auto-configuration of the starter, as {@code AutoConfiguration.imports} lists them, for context runners. */
final class StarterAutoConfigurations {

    static final AutoConfigurations ALL = AutoConfigurations.of(IdempotencyStoreAutoConfiguration.class,
            IdempotencyMetricsAutoConfiguration.class, IdempotencyAutoConfiguration.class,
            IdempotentMethodAutoConfiguration.class, IdempotencyHttpAutoConfiguration.class,
            IdempotencyPruningAutoConfiguration.class, IdempotencyClientAutoConfiguration.class,
            IdempotencyActuatorAutoConfiguration.class);

    private StarterAutoConfigurations() {
    }
}
