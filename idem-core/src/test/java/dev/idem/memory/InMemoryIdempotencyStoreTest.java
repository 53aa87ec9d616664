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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

    @Test
    void expiredRecordsLeaveAsNewClaimsComeBeforeTheStoreIsFull() {
        assertExpiredRecordsLeaveAsNewClaimsCome();
    }

    @Test
    void expiredRecordsLeaveAsNewClaimsComeOnAClockBefore1970() {
        // negative epoch nanoseconds: the queue's "nothing due before" mark must not be a number a clock can show
        clock.set(Instant.parse("1960-01-01T00:00:00Z"));
        assertExpiredRecordsLeaveAsNewClaimsCome();
    }

    private void assertExpiredRecordsLeaveAsNewClaimsCome() {
        // given: ten completed records of one ttl, expired
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1_000);
        for (int i = 0; i < 10; i++) {
            ClaimRequest claim = claimFor("old" + i, Duration.ofMinutes(1));
            ClaimResult.Claimed claimed = (ClaimResult.Claimed) store.claim(claim);
            store.complete(claim.id(), claimed.token(), new StoredResult(new byte[] {1}, "x"));
        }
        clock.advance(Duration.ofMinutes(1));

        // when: five new keys are claimed with that ttl
        for (int i = 0; i < 5; i++) {
            store.claim(claimFor("new" + i, Duration.ofMinutes(1)));
        }

        // then: each claim dropped two expired records, so only the five live ones are held
        assertThat(store.size()).isEqualTo(5);
    }

    @Test
    void eachTtlExpiresInItsOwnOrder() {
        // given: a record of a long ttl claimed before one of a short ttl
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1_000);
        store.claim(claimFor("long", Duration.ofHours(1)));
        store.claim(claimFor("short", Duration.ofMinutes(1)));
        clock.advance(Duration.ofMinutes(2));

        // when: a claim of the short ttl comes
        store.claim(claimFor("next", Duration.ofMinutes(1)));

        // then: the expired short record is gone although a live record was claimed before it
        assertThat(store.inspect(new RecordId("s", "a", "short"))).isEmpty();
        assertThat(store.find(new RecordId("s", "a", "long"), clock.instant())).isPresent();
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void aLeaseRenewedPastTheTtlKeepsItsRecordUntilTheLaterExpiry() {
        // given: an owner whose lease was renewed beyond the record's first expiry
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1_000);
        ClaimRequest claim = claimFor("k1", Duration.ofMinutes(1));
        ClaimResult.Claimed claimed = (ClaimResult.Claimed) store.claim(claim);
        assertThat(store.renewLease(claim.id(), claimed.token(), clock.instant().plus(Duration.ofMinutes(3)))).isTrue();

        // when: its first expiry passes and claims of its ttl go by
        clock.advance(Duration.ofMinutes(2));
        store.claim(claimFor("k2", Duration.ofMinutes(1)));
        store.claim(claimFor("k3", Duration.ofMinutes(1)));

        // then: it is still held and still its owner's; after the later expiry a prune removes it
        assertThat(store.find(claim.id(), clock.instant())).get()
                .satisfies(record -> assertThat(record.status()).isEqualTo(RecordStatus.IN_PROGRESS));
        assertThat(store.complete(claim.id(), claimed.token(), new StoredResult(new byte[] {2}, "x"))).isTrue();
        clock.advance(Duration.ofMinutes(2));
        assertThat(store.pruneExpiredBefore(clock.instant(), 10)).isEqualTo(3);
        assertThat(store.size()).isZero();
    }

    @Test
    void timesBeyondTheYear2262AreHeldAsTheLastInstantThatFits() {
        // given: a claim whose expiry lies past what epoch nanoseconds hold
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
        Instant now = clock.instant();
        RecordId id = new RecordId("s", "a", "far");
        store.claim(new ClaimRequest(id, FP, now, now.plusSeconds(30), Instant.parse("3000-01-01T00:00:00Z")));

        // then: it never expires in practice
        assertThat(store.find(id, Instant.parse("2262-01-01T00:00:00Z"))).get()
                .satisfies(record -> assertThat(record.expiresAt()).isAfter(Instant.parse("2262-04-01T00:00:00Z")));
    }

    @Test
    void exactlyOneOfRacingClaimsTakesADeadOwnersRecordOverAndSaysSo() throws Exception {
        // given: records whose owners died (their leases ended, the records live on)
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
        int rounds = 2_000;
        int racers = 4;
        for (int round = 0; round < rounds; round++) {
            store.claim(claimFor("dead-" + round, Duration.ofHours(1)));
        }
        clock.advance(Duration.ofSeconds(31));
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CyclicBarrier start = new CyclicBarrier(racers);
            List<Future<int[]>> counts = new ArrayList<>();
            for (int r = 0; r < racers; r++) {
                counts.add(pool.submit(() -> {
                    int[] wonAndTookOver = new int[2];
                    for (int round = 0; round < rounds; round++) {
                        ClaimRequest claim = claimFor("dead-" + round, Duration.ofHours(1));
                        start.await();
                        if (store.claim(claim) instanceof ClaimResult.Claimed claimed) {
                            wonAndTookOver[0]++;
                            wonAndTookOver[1] += claimed.takeover() ? 1 : 0;
                        }
                    }
                    return wonAndTookOver;
                }));
            }
            int won = 0;
            int tookOver = 0;
            for (Future<int[]> count : counts) {
                won += count.get(60, TimeUnit.SECONDS)[0];
                tookOver += count.get()[1];
            }

            // then: each record has one new owner, and that owner is told it took the record over
            assertThat(won).as("claims won").isEqualTo(rounds);
            assertThat(tookOver).as("claims won that report a takeover").isEqualTo(rounds);
        } finally {
            pool.shutdownNow();
        }
    }
}
