package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Scheduled pruning of expired records, unless the store expires them itself or {@code idem.prune.enabled=false}. */
@AutoConfiguration(after = IdempotencyAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "idem.enabled", matchIfMissing = true)
public class IdempotencyPruningAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyPruningAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "idem.prune.enabled", matchIfMissing = true)
    IdempotencyPruner idempotencyPruner(Idempotency idempotency, IdempotencyProperties properties,
                                        ObjectProvider<IdempotencyMetrics> metrics) {
        IdempotencyProperties.Prune prune = properties.getPrune();
        IdempotencyMetrics meters = metrics.getIfAvailable();
        IdempotencyPruner pruner = new IdempotencyPruner(idempotency, prune.getInterval(), prune.getCron(),
                prune.getBatchSize(), meters != null ? meters::countPruned : rows -> { });
        IdempotencyStore store = idempotency.store();
        if (store.expiresRecordsItself()) {
            IdempotencyStore named = store instanceof ForwardingIdempotencyStore forwarding ? forwarding.delegate() : store;
            log.info("Idem does not schedule pruning: {} expires records itself", named.getClass().getSimpleName());
            pruner.disableAutoStartup();
        }
        return pruner;
    }
}
