package dev.idem.spring;

import dev.idem.spi.IdempotencyStore;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The {@code idempotency} actuator endpoint ({@link IdempotencyEndpoint}) when Spring Boot Actuator is on the class
 * path. Exposure and security are Boot's usual settings: it is not exposed over HTTP until
 * {@code management.endpoints.web.exposure.include} names it.
 */
@AutoConfiguration(after = IdempotencyStoreAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "idem.enabled", matchIfMissing = true)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(IdempotencyStore.class)
@EnableConfigurationProperties(IdempotencyProperties.class)
public class IdempotencyActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IdempotencyEndpoint idempotencyEndpoint(IdempotencyStore store, IdempotencyProperties properties) {
        return new IdempotencyEndpoint(store, properties.getActuator().isShowBody(), Clock.systemUTC());
    }
}
