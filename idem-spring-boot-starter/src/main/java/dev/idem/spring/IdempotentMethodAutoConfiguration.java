package dev.idem.spring;

import dev.idem.Idempotency;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;

/** {@link Idempotent} on Spring bean methods: a class-based proxy around each bean that has such a method. */
@AutoConfiguration(after = IdempotencyAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "idem.enabled", matchIfMissing = true)
public class IdempotentMethodAutoConfiguration {

    /** Static: a bean post-processor must not make its configuration class (or the engine) start early. */
    @Bean
    static IdempotentMethodPostProcessor idempotentMethodPostProcessor(ObjectProvider<Idempotency> idempotency) {
        return new IdempotentMethodPostProcessor(idempotency);
    }
}
