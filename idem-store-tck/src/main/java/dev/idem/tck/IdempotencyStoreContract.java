package dev.idem.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.IdempotencyStoreInspection;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store-level conformance suite. Extend it in a store module's tests and return a fresh, empty store
 * from {@link #createStore()}. Time is driven by a {@link TestClock}, so nothing here sleeps.
 */
public abstract class IdempotencyStoreContract {

    protected static final Duration LEASE = Duration.ofSeconds(30);
    protected static final Duration TTL = Duration.ofHours(24);

    protected final TestClock clock = TestClock.atSystemTime();
    protected IdempotencyStore store;
    private IdempotencyStore otherInstance;

    /** A new, empty store. Called before each test. */
    protected abstract IdempotencyStore createStore();

    /** Releases what {@link #createStore()} made. Called after each test. */
    protected void disposeStore(IdempotencyStore store) {
    }

    /** Whether the store's {@link IdempotencyStore#waiter()} pushes wake-ups (rather than only polling). */
    protected boolean pushesWakeUps() {
        return true;
    }

    /**
     * A second instance of the store on the same records (the same table, the same prefix: what another application
     * instance would open), or null for a store confined to one JVM. Closed after the test if it is
     * {@link AutoCloseable}.
     */
    protected IdempotencyStore createAnotherInstance() {
        return null;
    }

    /**
     * The largest result body a wake-up carries with it ({@link Waiter.Handle#takeCarried()}), to this instance's
     * waiters and another's, so woken duplicates need not read the store; 0 when the store carries none. Whatever a
     * store carries must equal what {@code find} returns.
     */
    protected int largestCarriedBody() {
        return 0;
    }

    /** Whether {@link IdempotencyStore#pruneExpiredBefore} deletes records (false for stores that expire natively). */
    protected boolean prunes() {
        return true;
    }

    @BeforeEach
    void setUpStore() {
        store = createStore();
    }

    @AfterEach
    void tearDownStore() throws Exception {
        if (otherInstance instanceof AutoCloseable closeable) {
            closeable.close();
        }
        disposeStore(store);
    }

    // ---------------------------------------------------------------- operators' inspection (optional)

    @Test
    void inspectionReadsAnyRecordListsTheStuckOnesCountsThemAndDeletesOne() {
        Assumptions.assumeTrue(store instanceof IdempotencyStoreInspection, store.getClass().getSimpleName()
                + " does not implement IdempotencyStoreInspection (the actuator endpoint): inspection not tested");
        IdempotencyStoreInspection inspection = (IdempotencyStoreInspection) store;
        Instant now = clock.instant();
        RecordId done = newId();
        RecordId stuck = newId();
        RecordId live = newId();
        ClaimResult.Claimed claimed = (ClaimResult.Claimed) store.claim(claimNow(done, fp("d")));
        assertThat(store.complete(done, claimed.token(), result("{\"n\":1}"))).isTrue();
        store.claim(new ClaimRequest(stuck, fp("s"), now.minusSeconds(60), now.minusSeconds(1), now.plus(TTL)));
        store.claim(claimNow(live, fp("l")));

        IdempotencyStoreInspection.Inspected read = inspection.inspect(done).orElseThrow();
        assertThat(read.record().status()).isEqualTo(RecordStatus.COMPLETED);
        assertThat(read.record().result().body()).isEqualTo("{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(read.record().fingerprint()).isEqualTo(fp("d"));
        assertThat(read.createdAt()).isEqualTo(now);
        assertThat(inspection.inspect(newId())).isEmpty();

        assertThat(inspection.stuck(now, 10)).extracting(i -> i.record().id()).containsExactly(stuck);
        assertThat(inspection.countByStatus()).containsEntry(RecordStatus.COMPLETED, 1L)
                .containsEntry(RecordStatus.IN_PROGRESS, 2L).containsEntry(RecordStatus.FAILED, 0L);

        assertThat(inspection.delete(done)).isTrue();
        assertThat(inspection.inspect(done)).isEmpty();
        assertThat(store.find(done, now)).isEmpty();
        assertThat(inspection.delete(done)).isFalse();
        assertThat(store.claim(claimNow(done, fp("d")))).as("a deleted key is free again")
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    // ---------------------------------------------------------------- claim

    @Test
    void claimOfAbsentKeyWinsAndRecordsInProgress() {
        RecordId id = newId();
        ClaimResult result = store.claim(claimNow(id, fp("a")));

        assertThat(result).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(((ClaimResult.Claimed) result).takeover()).isFalse();
        StoredRecord record = store.find(id, clock.instant()).orElseThrow();
        assertThat(record.status()).isEqualTo(RecordStatus.IN_PROGRESS);
        assertThat(record.fingerprint()).isEqualTo(fp("a"));
        assertThat(record.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(record.expiresAt()).isEqualTo(clock.instant().plus(TTL));
    }

    @Test
    void secondClaimOfLiveKeyReturnsTheInProgressRecord() {
        RecordId id = newId();
        store.claim(claimNow(id, fp("a")));

        ClaimResult second = store.claim(claimNow(id, fp("a")));

        assertThat(second).isInstanceOf(ClaimResult.Existing.class);
        assertThat(((ClaimResult.Existing) second).record().status()).isEqualTo(RecordStatus.IN_PROGRESS);
    }

    @Test
    void exactlyOneClaimWinsPerKeyUnderARealRace() throws Exception {
        int keys = raceKeys();
        int duplicates = 8;
        List<RecordId> tasks = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            RecordId id = newId();
            for (int d = 0; d < duplicates; d++) {
                tasks.add(id);
            }
        }
        Collections.shuffle(tasks, new Random(42));
        Map<RecordId, AtomicInteger> winners = new ConcurrentHashMap<>();
        AtomicInteger existing = new AtomicInteger();

        Races.forEach(32, tasks, id -> {
            if (store.claim(claimNow(id, fp("race"))) instanceof ClaimResult.Claimed) {
                winners.computeIfAbsent(id, x -> new AtomicInteger()).incrementAndGet();
            } else {
                existing.incrementAndGet();
            }
        });

        assertThat(winners).hasSize(keys);
        assertThat(winners.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        assertThat(existing.get()).isEqualTo(keys * (duplicates - 1));
    }

    /** Keys in {@link #exactlyOneClaimWinsPerKeyUnderARealRace()}: 200, each claimed 8 times by 32 threads. */
    protected int raceKeys() {
        return 200;
    }

    @Test
    void recordsAreIsolatedByScopeAndAction() {
        String key = UUID.randomUUID().toString();
        RecordId alice = new RecordId("alice", "practice.start", key);
        RecordId bob = new RecordId("bob", "practice.start", key);
        RecordId otherAction = new RecordId("alice", "billing.checkout", key);

        assertThat(store.claim(claimNow(alice, fp("a")))).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(store.claim(claimNow(bob, fp("a")))).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(store.claim(claimNow(otherAction, fp("a")))).isInstanceOf(ClaimResult.Claimed.class);
    }

    // ---------------------------------------------------------------- owner writes

    @Test
    void completeWithTheOwnerTokenStoresTheResultForReplay() {
        RecordId id = newId();
        OwnerToken token = claimed(id, fp("a"));
        StoredResult result = result("{\"sessionId\":42}");

        assertThat(store.complete(id, token, result)).isTrue();

        StoredRecord record = store.find(id, clock.instant()).orElseThrow();
        assertThat(record.status()).isEqualTo(RecordStatus.COMPLETED);
        assertThat(record.result()).isEqualTo(result);
        ClaimResult again = store.claim(claimNow(id, fp("a")));
        assertThat(again).isInstanceOf(ClaimResult.Existing.class);
        assertThat(((ClaimResult.Existing) again).record().result()).isEqualTo(result);
    }

    @Test
    void failWithTheOwnerTokenStoresTheErrorForReplay() {
        RecordId id = newId();
        OwnerToken token = claimed(id, fp("a"));
        StoredError error = new StoredError("com.example.NotFound", "NOT_FOUND", "no such session",
                Map.of("sessionId", "42"));

        assertThat(store.fail(id, token, error)).isTrue();

        ClaimResult again = store.claim(claimNow(id, fp("a")));
        StoredRecord record = ((ClaimResult.Existing) again).record();
        assertThat(record.status()).isEqualTo(RecordStatus.FAILED);
        assertThat(record.error()).isEqualTo(error);
    }

    @Test
    void releaseDeletesTheClaimSoTheNextClaimWins() {
        RecordId id = newId();
        OwnerToken token = claimed(id, fp("a"));

        assertThat(store.release(id, token)).isTrue();

        assertThat(store.find(id, clock.instant())).isEmpty();
        assertThat(store.claim(claimNow(id, fp("b")))).isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void writesWithAStaleTokenChangeNothing() {
        RecordId id = newId();
        OwnerToken owner = claimed(id, fp("a"));
        OwnerToken stranger = OwnerToken.random();

        assertThat(store.complete(id, stranger, result("x"))).isFalse();
        assertThat(store.fail(id, stranger, new StoredError("T", "C", "m", Map.of()))).isFalse();
        assertThat(store.release(id, stranger)).isFalse();
        assertThat(store.renewLease(id, stranger, clock.instant().plus(Duration.ofHours(1)))).isFalse();

        StoredRecord record = store.find(id, clock.instant()).orElseThrow();
        assertThat(record.status()).isEqualTo(RecordStatus.IN_PROGRESS);
        assertThat(record.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(store.complete(id, owner, result("mine"))).isTrue();
    }

    @Test
    void writesAfterCompletionAreRefused() {
        RecordId id = newId();
        OwnerToken owner = claimed(id, fp("a"));
        store.complete(id, owner, result("first"));

        assertThat(store.complete(id, owner, result("second"))).isFalse();
        assertThat(store.fail(id, owner, new StoredError("T", "C", "m", Map.of()))).isFalse();
        assertThat(store.release(id, owner)).isFalse();
        assertThat(store.renewLease(id, owner, clock.instant().plus(LEASE))).isFalse();
        assertThat(store.find(id, clock.instant()).orElseThrow().result()).isEqualTo(result("first"));
    }

    @Test
    void writesToAnAbsentRecordAreRefused() {
        RecordId id = newId();
        OwnerToken token = OwnerToken.random();

        assertThat(store.complete(id, token, result("x"))).isFalse();
        assertThat(store.release(id, token)).isFalse();
        assertThat(store.renewLease(id, token, clock.instant().plus(LEASE))).isFalse();
        assertThat(store.find(id, clock.instant())).isEmpty();
    }

    // ---------------------------------------------------------------- leases and expiry

    @Test
    void aLiveLeaseIsNotTakenOver() {
        RecordId id = newId();
        claimed(id, fp("a"));
        clock.advance(LEASE.minusMillis(1));

        assertThat(store.claim(claimNow(id, fp("a")))).isInstanceOf(ClaimResult.Existing.class);
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldOwnerIsFenced() {
        RecordId id = newId();
        OwnerToken crashed = claimed(id, fp("a"));
        clock.advance(LEASE);

        ClaimResult takeover = store.claim(claimNow(id, fp("a")));

        assertThat(takeover).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(((ClaimResult.Claimed) takeover).takeover()).isTrue();
        OwnerToken successor = ((ClaimResult.Claimed) takeover).token();
        assertThat(successor).isNotEqualTo(crashed);
        assertThat(store.complete(id, crashed, result("stale"))).isFalse();
        assertThat(store.release(id, crashed)).isFalse();
        assertThat(store.complete(id, successor, result("fresh"))).isTrue();
        assertThat(store.find(id, clock.instant()).orElseThrow().result()).isEqualTo(result("fresh"));
    }

    @Test
    void anExpiredLeaseIsNotTakenOverByAnotherFingerprint() {
        RecordId id = newId();
        claimed(id, fp("a"));
        clock.advance(LEASE.plusSeconds(1));

        ClaimResult result = store.claim(claimNow(id, fp("other payload")));

        assertThat(result).isInstanceOf(ClaimResult.Existing.class);
        assertThat(((ClaimResult.Existing) result).record().fingerprint()).isEqualTo(fp("a"));
    }

    @Test
    void onlyOneOfManyConcurrentTakeoversWins() throws Exception {
        RecordId id = newId();
        claimed(id, fp("a"));
        clock.advance(LEASE.plusSeconds(1));

        List<Boolean> won = Races.times(16, () -> store.claim(claimNow(id, fp("a"))) instanceof ClaimResult.Claimed);

        assertThat(won).containsOnlyOnce(true);
    }

    @Test
    void renewingTheLeaseKeepsTheKeyFromTakeover() {
        RecordId id = newId();
        OwnerToken owner = claimed(id, fp("a"));
        clock.advance(LEASE.minusSeconds(1));

        assertThat(store.renewLease(id, owner, clock.instant().plus(LEASE))).isTrue();
        clock.advance(Duration.ofSeconds(2));

        assertThat(store.claim(claimNow(id, fp("a")))).isInstanceOf(ClaimResult.Existing.class);
        assertThat(store.find(id, clock.instant()).orElseThrow().leaseUntil())
                .isEqualTo(clock.instant().minusSeconds(2).plus(LEASE));
    }

    @Test
    void renewingPastTheExpiryExtendsTheExpiry() {
        RecordId id = newId();
        Instant now = clock.instant();
        OwnerToken owner = ((ClaimResult.Claimed) store.claim(
                new ClaimRequest(id, fp("a"), now, now.plusSeconds(5), now.plusSeconds(10)))).token();

        assertThat(store.renewLease(id, owner, now.plusSeconds(60))).isTrue();
        clock.advance(Duration.ofSeconds(30));

        StoredRecord record = store.find(id, clock.instant()).orElseThrow();
        assertThat(record.status()).isEqualTo(RecordStatus.IN_PROGRESS);
        assertThat(record.expiresAt()).isAfterOrEqualTo(now.plusSeconds(60));
    }

    @Test
    void anExpiredRecordIsAbsentAndCanBeClaimedAgainWithAnyFingerprint() {
        RecordId id = newId();
        OwnerToken owner = claimed(id, fp("a"));
        store.complete(id, owner, result("old"));
        clock.advance(TTL);

        assertThat(store.find(id, clock.instant())).isEmpty();
        ClaimResult again = store.claim(claimNow(id, fp("b")));
        assertThat(again).isInstanceOf(ClaimResult.Claimed.class);
        StoredRecord record = store.find(id, clock.instant()).orElseThrow();
        assertThat(record.status()).isEqualTo(RecordStatus.IN_PROGRESS);
        assertThat(record.fingerprint()).isEqualTo(fp("b"));
    }

    @Test
    void findHidesExpiredRecordsButShowsLiveOnes() {
        RecordId id = newId();
        OwnerToken owner = claimed(id, fp("a"));
        store.complete(id, owner, result("r"));

        assertThat(store.find(id, clock.instant().plus(TTL).minusMillis(1))).isPresent();
        assertThat(store.find(id, clock.instant().plus(TTL))).isEmpty();
    }

    @Test
    void pruneDeletesOnlyExpiredRecordsAndHonoursItsLimit() {
        if (!prunes()) {
            assertThat(store.pruneExpiredBefore(clock.instant().plus(TTL), 100)).isZero();
            return;
        }
        Instant now = clock.instant();
        List<RecordId> shortLived = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordId id = newId();
            store.claim(new ClaimRequest(id, fp("a"), now, now.plusSeconds(1), now.plusSeconds(10)));
            shortLived.add(id);
        }
        List<RecordId> longLived = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordId id = newId();
            store.claim(claimNow(id, fp("a")));
            longLived.add(id);
        }
        Instant cutoff = now.plusSeconds(10);

        assertThat(store.pruneExpiredBefore(cutoff, 2)).isEqualTo(2);
        assertThat(store.pruneExpiredBefore(cutoff, 100)).isEqualTo(3);
        assertThat(store.pruneExpiredBefore(cutoff, 100)).isZero();
        for (RecordId id : longLived) {
            assertThat(store.find(id, cutoff)).isPresent();
        }
        for (RecordId id : shortLived) {
            assertThat(store.find(id, now)).isEmpty();
        }
    }

    // ---------------------------------------------------------------- payloads

    @Test
    void largeBinaryResultsAndUnusualIdsRoundTrip() {
        byte[] body = new byte[1024 * 1024];
        new Random(7).nextBytes(body);
        RecordId id = new RecordId("user-é-日本-" + UUID.randomUUID(), "practice.start", "k".repeat(1000) + UUID.randomUUID());
        OwnerToken owner = claimed(id, fp("a"));
        StoredResult big = new StoredResult(body, "application/octet-stream");

        assertThat(store.complete(id, owner, big)).isTrue();

        assertThat(store.find(id, clock.instant()).orElseThrow().result()).isEqualTo(big);
    }

    // ---------------------------------------------------------------- waiter

    @Test
    void waitersAreWokenWhenTheRecordCompletes() throws Exception {
        assertCarriedIfSmall(assertWokenBy((id, token) -> store.complete(id, token, result("done"))));
    }

    @Test
    void waitersAreWokenWhenTheRecordFails() throws Exception {
        assertCarriedIfSmall(assertWokenBy((id, token) -> store.fail(id, token,
                new StoredError("T", "C", "m é", Map.of("field", "amount")))));
    }

    @Test
    void waitersAreWokenWhenTheClaimIsReleased() throws Exception {
        assertThat(assertWokenBy(store::release)).as("a released record is gone: nothing to carry").isEmpty();
    }

    @Test
    void aCarriedResultIsTheCommittedOneWhateverItsBytesAndContentType() throws Exception {
        byte[] every = new byte[256];
        for (int b = 0; b < every.length; b++) {
            every[b] = (byte) b;
        }
        StoredResult unusual = new StoredResult(every, "application/x-test; charset=utf-8; note=\"ünï code\"");
        assertCarriedIfSmall(assertWokenBy((id, token) -> store.complete(id, token, unusual)));
    }

    @Test
    void aResultTooLargeToCarryStillCompletesAndWakesItsWaiters() throws Exception {
        byte[] body = new byte[100 * 1024];
        new Random(11).nextBytes(body);
        assertWokenBy((id, token) -> store.complete(id, token, new StoredResult(body, "application/octet-stream")));
    }

    @Test
    void aWaiterOnAnotherInstanceIsWokenWithTheRecordAsCommitted() throws Exception {
        IdempotencyStore other = anotherInstance();
        StoredResult completed = result("{\"id\": 7, \"note\": \"a b\"}");
        StoredError failed = new StoredError("PaymentDeclined", "card_declined", "déclinée", Map.of("code", "51"));

        Optional<StoredRecord> carriedCompletion = finishWhileWaitedOn(other,
                (id, token) -> store.complete(id, token, completed));
        Optional<StoredRecord> carriedFailure = finishWhileWaitedOn(other, (id, token) -> store.fail(id, token, failed));

        if (largestCarriedBody() > 0) {
            assertThat(carriedCompletion).as("a completion carried across instances").isPresent();
            assertThat(carriedFailure).as("a failure carried across instances").isPresent();
        }
        carriedCompletion.ifPresent(r -> assertThat(r.result()).isEqualTo(completed));
        carriedFailure.ifPresent(r -> assertThat(r.error()).isEqualTo(failed));
    }

    @Test
    void theLargestCarriedBodyReachesAnotherInstanceAndOneByteMoreIsReadFromTheStore() throws Exception {
        IdempotencyStore other = anotherInstance();
        Assumptions.assumeTrue(largestCarriedBody() > 0, "this store carries no record across instances");
        byte[] largest = new byte[largestCarriedBody()];
        new Random(3).nextBytes(largest);
        StoredResult largestResult = new StoredResult(largest, "application/octet-stream; note=\"a b\"");
        StoredResult tooLarge = new StoredResult(Arrays.copyOf(largest, largest.length + 1), "application/octet-stream");

        assertThat(finishWhileWaitedOn(other, (id, token) -> store.complete(id, token, largestResult)))
                .as("the largest carried body").hasValueSatisfying(r -> assertThat(r.result()).isEqualTo(largestResult));
        assertThat(finishWhileWaitedOn(other, (id, token) -> store.complete(id, token, tooLarge)))
                .as("one byte more is not carried: the waiter reads the store").isEmpty();
    }

    private IdempotencyStore anotherInstance() {
        IdempotencyStore other = createAnotherInstance();
        Assumptions.assumeTrue(other != null, store.getClass().getSimpleName() + " has no other instance: not tested");
        otherInstance = other;
        return other;
    }

    /**
     * Finishes a record on {@link #store} while a waiter registered on {@code other} waits; returns what the wake-up
     * carried, checked to equal the record as {@code other} reads it.
     */
    private Optional<StoredRecord> finishWhileWaitedOn(IdempotencyStore other, OwnerWrite write) throws Exception {
        RecordId id = new RecordId("user-" + UUID.randomUUID(), "tck.action", "k".repeat(500) + UUID.randomUUID());
        OwnerToken owner = claimed(id, fp("a"));
        try (Waiter.Handle handle = other.waiter().register(id)) {
            assertThat(write.write(id, owner)).isTrue();
            assertThat(handle.await(Duration.ofSeconds(10))).as("woken on the other instance").isTrue();
            Optional<StoredRecord> carried = handle.takeCarried();
            assertCarriedIsStored(carried, other, id);
            return carried;
        }
    }

    /** Whatever a wake-up carried is the record as {@code reader} reads it from the store. */
    private void assertCarriedIsStored(Optional<StoredRecord> carried, IdempotencyStore reader, RecordId id) {
        carried.ifPresent(record -> assertThat(record).as("the carried record is the stored one")
                .isEqualTo(reader.find(id, clock.instant()).orElseThrow()));
    }

    private void assertCarriedIfSmall(Optional<StoredRecord> carried) {
        if (largestCarriedBody() > 0) {
            assertThat(carried).as("a small finished record is carried with its wake-up").isPresent();
        }
    }

    private interface OwnerWrite {
        boolean write(RecordId id, OwnerToken token);
    }

    /**
     * Registers a waiter, lets {@code write} finish the record from another thread and checks the wake-up; returns
     * what the wake-up carried, which is checked to equal the record as {@code find} reads it.
     */
    private Optional<StoredRecord> assertWokenBy(OwnerWrite write) throws Exception {
        RecordId id = newId();
        OwnerToken owner = claimed(id, fp("a"));
        RecordId other = newId();
        claimed(other, fp("a"));
        Waiter waiter = store.waiter();
        try (Waiter.Handle handle = waiter.register(id);
             Waiter.Handle unrelated = waiter.register(other)) {
            CountDownLatch registered = new CountDownLatch(1);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                Future<Boolean> written = writer.submit(() -> {
                    registered.await();
                    return write.write(id, owner);
                });
                registered.countDown();
                assertThat(written.get(10, TimeUnit.SECONDS)).isTrue();
                if (pushesWakeUps()) {
                    assertThat(handle.await(Duration.ofSeconds(10))).as("woken by a push signal").isTrue();
                    assertThat(unrelated.await(Duration.ofMillis(200))).as("waiters of other records stay asleep").isFalse();
                } else {
                    assertThat(handle.await(Duration.ofMillis(10))).isFalse();
                }
                Optional<StoredRecord> carried = handle.takeCarried();
                assertCarriedIsStored(carried, store, id);
                assertThat(unrelated.takeCarried()).isEmpty();
                return carried;
            } finally {
                writer.shutdownNow();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    protected RecordId newId() {
        return new RecordId("user-" + UUID.randomUUID(), "tck.action", UUID.randomUUID().toString());
    }

    protected ClaimRequest claimNow(RecordId id, Fingerprint fingerprint) {
        Instant now = clock.instant();
        return new ClaimRequest(id, fingerprint, now, now.plus(LEASE), now.plus(TTL));
    }

    protected OwnerToken claimed(RecordId id, Fingerprint fingerprint) {
        ClaimResult result = store.claim(claimNow(id, fingerprint));
        assertThat(result).isInstanceOf(ClaimResult.Claimed.class);
        return ((ClaimResult.Claimed) result).token();
    }

    protected static Fingerprint fp(String payload) {
        return Fingerprint.of(payload.getBytes(StandardCharsets.UTF_8));
    }

    protected static StoredResult result(String json) {
        return new StoredResult(json.getBytes(StandardCharsets.UTF_8), "application/json");
    }
}
