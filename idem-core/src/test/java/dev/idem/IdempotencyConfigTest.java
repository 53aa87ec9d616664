package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyConfigTest {

    @Test
    void defaultsFollowTheDocumentedValues() {
        // when
        IdempotencyConfig config = IdempotencyConfig.ofDefaults();

        // then
        assertThat(config.ttl()).isEqualTo(Duration.ofHours(24));
        assertThat(config.lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.renewalInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.maxKeyLength()).isEqualTo(255);
        assertThat(config.missingKeyPolicy()).isEqualTo(MissingKeyPolicy.reject());
        assertThat(config.errorPolicy()).isNotNull();
        assertThat(config.clock()).isNotNull();
    }

    @Test
    void defaultHeartbeatIsAThirdOfTheLease() {
        // when
        IdempotencyConfig config = IdempotencyConfig.builder().lease(Duration.ofSeconds(9)).build();

        // then
        assertThat(config.renewalInterval()).isEqualTo(Duration.ofSeconds(3));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositiveTtlIsRejected(long seconds) {
        assertThatThrownBy(() -> IdempotencyConfig.builder().ttl(Duration.ofSeconds(seconds)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ttl must be positive");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositiveLeaseIsRejected(long seconds) {
        assertThatThrownBy(() -> IdempotencyConfig.builder().lease(Duration.ofSeconds(seconds)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("lease must be positive");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositivePollIntervalIsRejected(long millis) {
        assertThatThrownBy(() -> IdempotencyConfig.builder().pollInterval(Duration.ofMillis(millis)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pollInterval must be positive");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositiveHeartbeatIntervalIsRejected(long millis) {
        assertThatThrownBy(() -> IdempotencyConfig.builder().renewalInterval(Duration.ofMillis(millis)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("renewalInterval must be positive");
    }

    @Test
    void negativeMaxWaitIsRejected() {
        assertThatThrownBy(() -> IdempotencyConfig.builder().maxWait(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxWait");
    }

    @Test
    void zeroMaxWaitMeansDoNotWait() {
        assertThat(IdempotencyConfig.builder().maxWait(Duration.ZERO).build().maxWait()).isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {30, 31})
    void renewalIntervalNotShorterThanTheLeaseIsRejected(long seconds) {
        assertThatThrownBy(() -> IdempotencyConfig.builder()
                .lease(Duration.ofSeconds(30))
                .renewalInterval(Duration.ofSeconds(seconds))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("renewalInterval")
                .hasMessageContaining("shorter than the lease");
    }

    @Test
    void leaseLongerThanTheTtlIsRejected() {
        assertThatThrownBy(() -> IdempotencyConfig.builder()
                .ttl(Duration.ofSeconds(10))
                .lease(Duration.ofSeconds(11))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease")
                .hasMessageContaining("ttl");
    }

    @Test
    void leaseEqualToTheTtlIsAccepted() {
        IdempotencyConfig config = IdempotencyConfig.builder()
                .ttl(Duration.ofSeconds(30))
                .lease(Duration.ofSeconds(30))
                .build();

        assertThat(config.lease()).isEqualTo(config.ttl());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1025})
    void maxKeyLengthOutsideOneTo1024IsRejected(int length) {
        assertThatThrownBy(() -> IdempotencyConfig.builder().maxKeyLength(length).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxKeyLength")
                .hasMessageContaining(Integer.toString(length));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1024})
    void maxKeyLengthAtTheLimitsIsAccepted(int length) {
        assertThat(IdempotencyConfig.builder().maxKeyLength(length).build().maxKeyLength()).isEqualTo(length);
    }

    @Test
    void nullSettingsAreRejectedByName() {
        assertThatThrownBy(() -> IdempotencyConfig.builder().ttl(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("ttl");
        assertThatThrownBy(() -> IdempotencyConfig.builder().clock(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("clock");
        assertThatThrownBy(() -> IdempotencyConfig.builder().missingKeyPolicy(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("missingKeyPolicy");
    }

    @Test
    void fromCopiesEverySetting() {
        // given
        Clock clock = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);
        ErrorPolicy policy = ErrorPolicy.releaseAll();
        IdempotencyConfig base = IdempotencyConfig.builder()
                .ttl(Duration.ofHours(1))
                .lease(Duration.ofSeconds(20))
                .renewalInterval(Duration.ofSeconds(4))
                .maxWait(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(20))
                .maxKeyLength(64)
                .missingKeyPolicy(MissingKeyPolicy.passThrough())
                .errorPolicy(policy)
                .clock(clock)
                .build();

        // when
        IdempotencyConfig copy = IdempotencyConfig.from(base).build();

        // then
        assertThat(copy.ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(copy.lease()).isEqualTo(Duration.ofSeconds(20));
        assertThat(copy.renewalInterval()).isEqualTo(Duration.ofSeconds(4));
        assertThat(copy.maxWait()).isEqualTo(Duration.ofMillis(500));
        assertThat(copy.pollInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(copy.maxKeyLength()).isEqualTo(64);
        assertThat(copy.missingKeyPolicy()).isEqualTo(MissingKeyPolicy.passThrough());
        assertThat(copy.errorPolicy()).isSameAs(policy);
        assertThat(copy.clock()).isSameAs(clock);
    }

    @Test
    void fromLeavesTheBaseUnchanged() {
        // given
        IdempotencyConfig base = IdempotencyConfig.ofDefaults();

        // when
        IdempotencyConfig changed = IdempotencyConfig.from(base).maxWait(Duration.ofSeconds(5)).build();

        // then
        assertThat(changed.maxWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(base.maxWait()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void fromKeepsTheDefaultHeartbeatRelativeToANewLease() {
        // given: a base whose renewal interval was never set, so it is the default third of the lease
        IdempotencyConfig base = IdempotencyConfig.ofDefaults();

        // when
        IdempotencyConfig shorter = IdempotencyConfig.from(base).lease(Duration.ofSeconds(3)).build();

        // then
        assertThat(shorter.renewalInterval()).isEqualTo(Duration.ofSeconds(1));
    }
}
