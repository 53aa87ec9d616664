package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyListener;
import dev.idem.MissingKeyPolicy;
import dev.idem.ResultCodec;
import dev.idem.ResultEncryption;
import dev.idem.SimpleResultCodec;
import dev.idem.jackson.JacksonResultCodec;
import dev.idem.spi.IdempotencyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;

/**
 * Idem's engine from {@code idem.*}: the config (with its customizers and encryption keys), the result codec (Jackson 3,
 * else Jackson 2 through idem-jackson, else core's simple codec) and the {@link dev.idem.Idempotency} engine with the
 * application's listeners and the metrics. The store, the metrics, {@link Idempotent} methods, the HTTP filter and
 * pruning come from their own auto-configurations ({@link IdempotencyStoreAutoConfiguration},
 * {@link IdempotencyMetricsAutoConfiguration}, {@link IdempotentMethodAutoConfiguration},
 * {@link IdempotencyHttpAutoConfiguration}, {@link IdempotencyPruningAutoConfiguration}). Every bean backs off when the application defines its own.
 *
 * <p>Classes of optional dependencies are named only inside configurations guarded by {@code @ConditionalOnClass}, so
 * the starter runs with idem-core alone.
 */
@AutoConfiguration(after = {IdempotencyStoreAutoConfiguration.class, IdempotencyMetricsAutoConfiguration.class},
        afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnBooleanProperty(name = "idem.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyProperties.class)
@Import({IdempotencyAutoConfiguration.JacksonCodecConfiguration.class,
    IdempotencyAutoConfiguration.Jackson2CodecConfiguration.class})
public class IdempotencyAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IdempotencyConfig idempotencyConfig(IdempotencyProperties properties, ObjectProvider<IdempotencyConfigCustomizer> customizers) {
        IdempotencyConfig.Builder builder = IdempotencyConfig.builder()
                .ttl(properties.getTtl())
                .lease(properties.getLease())
                .maxWait(properties.getMaxWait())
                .pollInterval(properties.getPollInterval())
                .maxKeyLength(properties.getMaxKeyLength())
                .missingKeyPolicy(MissingKeyPolicy.of(properties.getMissingKeyPolicy(), properties.getDedupWindow()));
        IdempotencyProperties.Encryption encryption = properties.getEncryption();
        if (!encryption.getKeys().isEmpty() || encryption.getCurrentKey() != null) {
            builder.encryption(resultEncryption(encryption));
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /** The key ring of {@code idem.encryption.*}; a start-up error names the key that is wrong. */
    private static ResultEncryption resultEncryption(IdempotencyProperties.Encryption encryption) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        encryption.getKeys().forEach((id, base64) -> {
            try {
                keys.put(id, Base64.getDecoder().decode(base64.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("idem.encryption.keys." + id + " is not Base64: " + e.getMessage());
            }
        });
        if (encryption.getCurrentKey() == null) {
            throw new IllegalStateException("idem.encryption.keys is set but idem.encryption.current-key is not");
        }
        try {
            return ResultEncryption.aesGcm(encryption.getCurrentKey(), keys);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("idem.encryption: " + e.getMessage(), e);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    ResultCodec idempotencyResultCodec() {
        return new SimpleResultCodec();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Idempotency idempotency(IdempotencyStore store, IdempotencyConfig config, ResultCodec codec,
                            ObjectProvider<IdempotencyMetrics> metrics, ObjectProvider<IdempotencyListener> listeners,
                            IdempotencyProperties properties, ResourceLoader resourceLoader) {
        IdempotencyMetrics meters = metrics.getIfAvailable();
        List<IdempotencyListener> all = new ArrayList<>(listeners.orderedStream().toList());
        IdempotencyListener metered = meters != null ? meters.listener() : IdempotencyListener.NONE;
        if (metered != IdempotencyListener.NONE) {
            all.add(metered);
        }
        IdempotencyListener listener = IdempotencyListener.composite(all);
        IdempotencyStore effective = meters != null ? meters.timed(store) : store;
        if (properties.getNearCache().isEnabled()) { // in front of the timed store: its hits are not store calls
            effective = NearCaches.wrap(effective, properties.getNearCache(), resourceLoader.getClassLoader());
        }
        return Idempotency.builder(effective).config(config).codec(codec).listener(listener).build();
    }

    /** Results as JSON with the application's Jackson 3 mapper, when there is one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"tools.jackson.databind.json.JsonMapper", "dev.idem.jackson3.Jackson3ResultCodec"})
    @ConditionalOnBean(type = "tools.jackson.databind.json.JsonMapper")
    static class JacksonCodecConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ResultCodec idempotencyResultCodec(tools.jackson.databind.json.JsonMapper mapper) {
            return new dev.idem.jackson3.Jackson3ResultCodec(mapper);
        }
    }

    /**
     * Results as JSON with Jackson 2 through {@code idem-jackson}, when the application has no Jackson 3 mapper
     * (the application's {@code ObjectMapper} bean if it has one). The two Jackson configurations exclude each
     * other by condition, because nested configuration classes are registered in no guaranteed order.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.idem.jackson.JacksonResultCodec", "com.fasterxml.jackson.databind.ObjectMapper"})
    @ConditionalOnMissingBean(type = "tools.jackson.databind.json.JsonMapper")
    static class Jackson2CodecConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ResultCodec idempotencyResultCodec(ObjectProvider<com.fasterxml.jackson.databind.ObjectMapper> mapper) {
            com.fasterxml.jackson.databind.ObjectMapper own = mapper.getIfUnique();
            return own != null ? new JacksonResultCodec(own) : JacksonResultCodec.create();
        }
    }
}
