package dev.idem.spring;

import org.springframework.boot.autoconfigure.AutoConfigurations;

/** Every auto-configuration of the starter, as {@code AutoConfiguration.imports} lists them, for context runners. */
final class StarterAutoConfigurations {

    static final AutoConfigurations ALL = AutoConfigurations.of(IdempotencyStoreAutoConfiguration.class,
            IdempotencyMetricsAutoConfiguration.class, IdempotencyAutoConfiguration.class,
            IdempotentMethodAutoConfiguration.class, IdempotencyHttpAutoConfiguration.class,
            IdempotencyPruningAutoConfiguration.class, IdempotencyClientAutoConfiguration.class,
            IdempotencyActuatorAutoConfiguration.class);

    /**
     * Spring Security's auto-configurations, which {@code src/test/resources/application.properties} excludes (it is
     * on the test class path for {@link IdempotencyEndpointTest} only); a test that sets
     * {@code spring.autoconfigure.exclude} itself replaces that list, so it names these too.
     */
    static final String SECURITY = "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration";

    private StarterAutoConfigurations() {
    }
}
