package dev.idem.spring;

import dev.idem.micrometer.MeteredIdempotencyStore;
import dev.idem.tck.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyKeyReusedException;
import dev.idem.IdempotencyListener;
import dev.idem.IdempotencyRequest;
import dev.idem.MissingKeyPolicy;
import dev.idem.ReplayableError;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.RecordId;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Micrometer meters, counted exactly, each tagged with the action (in-memory store, a clock moved by hand). */
class IdempotencyMetricsTest {

    private static final String ACTION = "metrics.test";

    private final TestClock clock = new TestClock(java.time.Instant.parse("2026-11-24T10:00:00Z"));

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(StarterAutoConfigurations.ALL)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withBean(IdempotencyConfigCustomizer.class, () -> builder -> builder.clock(clock))
            .withPropertyValues("idem.max-wait=100ms", "idem.poll-interval=10ms", "idem.lease=5s",
                    "idem.prune.enabled=false");

    /** A deterministic error, stored and replayed. */
    public static class Declined extends RuntimeException implements ReplayableError {
        private static final long serialVersionUID = 1L;

        public Declined(String message) {
            super(message);
        }

        @Override
        public String errorCode() {
            return "DECLINED";
        }
    }

    @Test
    void claimsCompletionsAndReplaysOfResultsAndErrors() {
        runner.run(context -> {
            Idempotency idem = context.getBean(Idempotency.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);

            idem.execute(request("a"), String.class, () -> "x");
            idem.execute(request("a"), String.class, () -> "x");
            idem.execute(request("a"), String.class, () -> "x");
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> idem.execute(request("e"), String.class, () -> {
                    throw new Declined("no");
                })).isInstanceOf(Declined.class);
            }

            assertThat(meters.counter("idem.claims", "action", ACTION, "takeover", "false").count()).isEqualTo(2);
            assertThat(meters.counter("idem.completions", "action", ACTION, "stored", "true").count()).isEqualTo(1);
            assertThat(meters.counter("idem.replays", "action", ACTION, "kind", "result").count()).isEqualTo(2);
            assertThat(meters.counter("idem.errors.stored", "action", ACTION).count()).isEqualTo(1);
            assertThat(meters.counter("idem.replays", "action", ACTION, "kind", "error").count()).isEqualTo(1);
            assertThat(meters.get("idem.store.latency").tag("operation", "claim").tag("action", ACTION)
                    .timer().count()).isEqualTo(5);
            assertThat(meters.get("idem.store.latency").tag("operation", "complete").timer().count()).isEqualTo(1);
        });
    }

    @Test
    void keyReuseReleasesAndPassThroughs() {
        runner.run(context -> {
            Idempotency idem = context.getBean(Idempotency.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);

            idem.execute(request("r"), String.class, () -> "x");
            assertThatThrownBy(() -> idem.execute(IdempotencyRequest.builder(ACTION).key("r")
                    .fingerprint(Fingerprint.ofStrings("other body")).build(), String.class, () -> "y"))
                    .isInstanceOf(IdempotencyKeyReusedException.class);
            assertThatThrownBy(() -> idem.execute(request("t"), String.class, () -> {
                throw new IllegalStateException("timeout");
            })).isInstanceOf(IllegalStateException.class);
            idem.execute(IdempotencyRequest.builder(ACTION).missingKeyPolicy(MissingKeyPolicy.passThrough()).build(),
                    String.class, () -> "unprotected");

            assertThat(meters.counter("idem.key.reused", "action", ACTION).count()).isEqualTo(1);
            assertThat(meters.counter("idem.released", "action", ACTION).count()).isEqualTo(1);
            assertThat(meters.counter("idem.pass.through", "action", ACTION).count()).isEqualTo(1);
        });
    }

    @Test
    void conflictsAndTheWaitHistogram() {
        runner.run(context -> {
            Idempotency idem = context.getBean(Idempotency.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            AtomicBoolean histogramRequested = new AtomicBoolean();
            meters.config().meterFilter(new MeterFilter() {
                @Override
                public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                    if (id.getName().equals("idem.wait") && Boolean.TRUE.equals(config.isPercentileHistogram())) {
                        histogramRequested.set(true);
                    }
                    return config;
                }
            });
            claimAsAnotherOwner(context.getBean(IdempotencyStore.class), "busy", Duration.ofSeconds(30));

            assertThatThrownBy(() -> idem.execute(request("busy"), String.class, () -> "x"))
                    .isInstanceOf(IdempotencyConflictException.class);

            assertThat(meters.counter("idem.conflicts", "action", ACTION).count()).isEqualTo(1);
            var wait = meters.get("idem.wait").tag("action", ACTION).timer();
            assertThat(wait.count()).isEqualTo(1);
            assertThat(wait.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(50);
            // SimpleMeterRegistry keeps no buckets (only registries with aggregable percentiles, e.g. Prometheus, do)
            assertThat(histogramRequested).as("published as a percentile histogram").isTrue();
        });
    }

    @Test
    void takeoversAndFencedWrites() {
        runner.run(context -> {
            Idempotency idem = context.getBean(Idempotency.class);
            IdempotencyStore store = context.getBean(IdempotencyStore.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);

            // an owner that died: its lease runs out and the next caller takes the key over
            claimAsAnotherOwner(store, "crashed", Duration.ofSeconds(1));
            clock.advance(Duration.ofSeconds(2));
            assertThat(idem.execute(request("crashed"), String.class, () -> "recovered")).isEqualTo("recovered");

            // an owner that stalls past its lease: another owner takes over, and the stale completion is refused
            catchThrowable(() -> idem.execute(request("stalled"), String.class, () -> {
                clock.advance(Duration.ofSeconds(6));
                claimAsAnotherOwner(store, "stalled", Duration.ofSeconds(5));
                return "too late";
            }));

            assertThat(meters.counter("idem.claims", "action", ACTION, "takeover", "true").count()).isEqualTo(1);
            assertThat(meters.counter("idem.fenced.writes", "action", ACTION).count()).isEqualTo(1);
        });
    }

    @Test
    void pruningIsCounted() {
        runner.withPropertyValues("idem.prune.enabled=true", "idem.ttl=1h", "idem.prune.batch-size=2").run(context -> {
            Idempotency idem = context.getBean(Idempotency.class);
            for (int i = 0; i < 5; i++) {
                idem.execute(request("old-" + i), String.class, () -> "x");
            }
            clock.advance(Duration.ofHours(2));

            assertThat(context.getBean(IdempotencyPruner.class).pruneNow()).isEqualTo(5);
            assertThat(context.getBean(MeterRegistry.class).counter("idem.pruned").count()).isEqualTo(5);
        });
    }

    @Test
    void theApplicationsListenersHearEverythingAndMetricsStayOn() {
        AtomicInteger claims = new AtomicInteger();
        AtomicInteger replays = new AtomicInteger();
        IdempotencyListener failing = new IdempotencyListener() {
            @Override
            public void onClaimed(RecordId id, boolean takeover) {
                throw new IllegalStateException("a broken listener");
            }
        };
        IdempotencyListener counting = new IdempotencyListener() {
            @Override
            public void onClaimed(RecordId id, boolean takeover) {
                claims.incrementAndGet();
            }

            @Override
            public void onResultReplayed(RecordId id) {
                replays.incrementAndGet();
            }
        };
        runner.withBean("failing", IdempotencyListener.class, () -> failing)
                .withBean("counting", IdempotencyListener.class, () -> counting)
                .run(context -> {
                    Idempotency idem = context.getBean(Idempotency.class);
                    idem.execute(request("l"), String.class, () -> "x");
                    idem.execute(request("l"), String.class, () -> "x");

                    assertThat(claims).hasValue(1);
                    assertThat(replays).hasValue(1);
                    assertThat(context.getBean(MeterRegistry.class)
                            .counter("idem.claims", "action", ACTION, "takeover", "false").count()).isEqualTo(1);
                });
    }

    @Test
    void springBootsOwnMeterRegistryIsUsed() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .withConfiguration(StarterAutoConfigurations.ALL)
                .run(context -> {
                    Idempotency idem = context.getBean(Idempotency.class);
                    idem.execute(request("boot"), String.class, () -> "x");
                    idem.execute(request("boot"), String.class, () -> "x");

                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.counter("idem.replays", "action", ACTION, "kind", "result").count()).isEqualTo(1);
                    assertThat(idem.store()).isInstanceOf(MeteredIdempotencyStore.class);
                });
    }

    @Test
    void withoutAMeterRegistryNothingIsMetered() {
        new ApplicationContextRunner().withConfiguration(StarterAutoConfigurations.ALL)
                .run(context -> assertThat(context.getBean(Idempotency.class).store())
                        .isNotInstanceOf(MeteredIdempotencyStore.class));
    }

    private void claimAsAnotherOwner(IdempotencyStore store, String key, Duration lease) {
        Instant now = clock.instant();
        store.claim(new ClaimRequest(new RecordId("", ACTION, key), Fingerprint.EMPTY, now, now.plus(lease),
                now.plus(Duration.ofHours(1))));
    }

    private static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder(ACTION).key(key).build();
    }
}
