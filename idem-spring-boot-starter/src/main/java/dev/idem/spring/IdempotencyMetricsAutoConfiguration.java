package dev.idem.spring;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/** Micrometer meters for Idem (idem-micrometer), when Micrometer is on the class path; silent without a registry. */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "idem.enabled", matchIfMissing = true)
@ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry",
    "dev.idem.micrometer.MicrometerIdempotencyListener"})
public class IdempotencyMetricsAutoConfiguration {

    @Bean
    IdempotencyMetrics idemMetrics(ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
        return new IdempotencyMetrics(registry);
    }
}
