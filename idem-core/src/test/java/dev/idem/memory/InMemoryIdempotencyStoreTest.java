package dev.idem.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.IdempotencyStoreException;
import dev.idem.MutableClock;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredResult;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryIdempotencyStoreTest {

    private static final Fingerprint FP = Fingerprint.ofStrings("payload");

    private final MutableClock clock = MutableClock.startingAt("2024-01-01T00:00:00Z");

    private ClaimRequest claimFor(String key, Duration ttl) {
        Instant now = clock.instant();
        return new ClaimRequest(new RecordId("s", "a", key), FP, now, now.plusSeconds(30), now.plus(ttl));
    }

    @Test
    void fullStoreRejectsANewLiveKeyButAcceptsOneAfterOldRecordsExpire() {
        // given
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(2);
        assertThat(store.claim(claimFor("k1", Duration.ofMinutes(1)))).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(store.claim(claimFor("k2", Duration.ofMinutes(1)))).isInstanceOf(ClaimResult.Claimed.class);

        // when / then: a third live key does not fit
        assertThatThrownBy(() -> store.claim(claimFor("k3", Duration.ofMinutes(1))))
                .isInstanceOf(IdempotencyStoreException.class)
                .hasMessageContaining("full");

        // when: the first two expire
        clock.advance(Duration.ofMinutes(1));

        // then
        assertThat(store.claim(claimFor("k3", Duration.ofMinutes(1)))).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void fullStoreStillAnswersForAKeyItAlreadyHolds() {
        // given
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1);
        store.claim(claimFor("k1", Duration.ofMinutes(1)));

        // when
        ClaimResult again = store.claim(claimFor("k1", Duration.ofMinutes(1)));

        // then
        assertThat(again).isInstanceOf(ClaimResult.Existing.class);
    }

    @Test
    void nonPositiveBoundIsRejected() {
        assertThatThrownBy(() -> new InMemoryIdempotencyStore(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expiredRecordsAreNotFoundAndArePruned() {
        // given
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
        ClaimRequest claim = claimFor("k1", Duration.ofMinutes(1));
        ClaimResult.Claimed claimed = (ClaimResult.Claimed) store.claim(claim);
        assertThat(store.complete(claim.id(), claimed.token(), new StoredResult(new byte[] {1}, "x"))).isTrue();

        // when
        clock.advance(Duration.ofMinutes(1));

        // then
        assertThat(store.find(claim.id(), clock.instant())).isEmpty();
        assertThat(store.pruneExpiredBefore(clock.instant(), 10)).isEqualTo(1);
        assertThat(store.size()).isZero();
    }

    @Test
    void completedRecordIsReturnedToALaterClaim() {
        // given
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
        ClaimRequest claim = claimFor("k1", Duration.ofMinutes(1));
        ClaimResult.Claimed claimed = (ClaimResult.Claimed) store.claim(claim);
        store.complete(claim.id(), claimed.token(), new StoredResult(new byte[] {7}, "x"));

        // when
        ClaimResult later = store.claim(claimFor("k1", Duration.ofMinutes(1)));

        // then
        assertThat(later).isInstanceOfSatisfying(ClaimResult.Existing.class, existing -> {
            assertThat(existing.record().status()).isEqualTo(RecordStatus.COMPLETED);
            assertThat(existing.record().result().body()).containsExactly(7);
        });
    }
}
