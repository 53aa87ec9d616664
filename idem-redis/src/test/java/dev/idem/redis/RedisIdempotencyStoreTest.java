package dev.idem.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.IdempotentOutcome;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import dev.idem.testing.RedisTestServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedisIdempotencyStoreTest {

    private final List<String> prefixes = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void requireRedis() {
        RedisTestServer.assumeAvailable(); // each test is reported as skipped, with the reason, without Redis
        prefix = newPrefixToClean();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        prefixes.forEach(RedisTestServer::deleteKeys);
    }

    @Test
    void aRecordIsOneHashUnderAClusterHashTagThatExpiresNativelyAtItsExpiry() {
        RedisIdempotencyStore store = store(prefix);
        RecordId id = new RecordId("user:{42}", "billing:checkout", "key:{x}:" + UUID.randomUUID());
        Instant now = Instant.now();
        Instant expiresAt = now.plus(Duration.ofHours(1));
        OwnerToken owner = claim(store, id, now, expiresAt);
        assertThat(store.complete(id, owner, new StoredResult("ok".getBytes(StandardCharsets.UTF_8), "text/plain")))
                .isTrue();

        RedisCommands<String, String> redis = RedisTestServer.commands();
        List<String> keys = RedisTestServer.keys(prefix);
        assertThat(keys).containsExactly(store.keyOf(id));
        String key = keys.get(0);
        assertThat(key).isEqualTo(prefix + "{" + id.digest() + "}");
        assertThat(key.indexOf('{')).isEqualTo(prefix.length());
        assertThat(key).endsWith("}").containsOnlyOnce("{").containsOnlyOnce("}");
        assertThat(redis.type(key)).isEqualTo("hash");
        Map<String, String> hash = redis.hgetall(key);
        assertThat(hash).containsEntry("scope", "user:{42}").containsEntry("action", "billing:checkout")
                .containsEntry("key", id.key()).containsEntry("status", "COMPLETED")
                .containsEntry("fingerprint", Fingerprint.EMPTY.hex()).containsEntry("owner", owner.value())
                .containsEntry("expires_at", Long.toString(expiresAt.toEpochMilli()))
                .containsEntry("content_type", "text/plain").containsEntry("body", "ok")
                .containsKey("lease_until");
        long expectedTtl = expiresAt.toEpochMilli() - System.currentTimeMillis();
        assertThat(redis.pttl(key)).isCloseTo(expectedTtl, within(5_000L));
    }

    @Test
    void aLeaseRenewalPastTheExpiryMovesTheNativeExpiryToo() {
        RedisIdempotencyStore store = store(prefix);
        RecordId id = newId();
        Instant now = Instant.now();
        OwnerToken owner = claim(store, id, now, now.plusSeconds(10));
        String key = store.keyOf(id);
        assertThat(RedisTestServer.commands().pttl(key)).isCloseTo(10_000L, within(5_000L));

        assertThat(store.renewLease(id, owner, now.plusSeconds(120))).isTrue();

        assertThat(RedisTestServer.commands().pttl(key)).isCloseTo(120_000L, within(5_000L));
        assertThat(RedisTestServer.commands().hget(key, "expires_at"))
                .isEqualTo(Long.toString(now.plusSeconds(120).toEpochMilli()));
    }

    @Test
    void everyScriptStillRunsAfterTheServerForgetsItsScripts() {
        RedisIdempotencyStore store = store(prefix);
        Instant now = Instant.now();
        claim(store, newId(), now, now.plusSeconds(3600)); // loaded and used once

        RedisTestServer.commands().scriptFlush();
        RecordId completed = newId();
        OwnerToken owner = claim(store, completed, now, now.plusSeconds(3600));
        assertThat(store.renewLease(completed, owner, now.plusSeconds(60))).isTrue();
        assertThat(store.complete(completed, owner, new StoredResult(new byte[] {1, 2}, "x"))).isTrue();
        assertThat(store.find(completed, now).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);

        RedisTestServer.commands().scriptFlush();
        RecordId released = newId();
        OwnerToken releaser = claim(store, released, now, now.plusSeconds(3600));
        RedisTestServer.commands().scriptFlush();
        assertThat(store.release(released, releaser)).isTrue();
        assertThat(store.find(released, now)).isEmpty();

        // the EVAL fallback put the script back into the cache, so the next call is an EVALSHA again
        assertThat(RedisTestServer.commands().scriptExists(LuaScript.load("release").sha())).containsExactly(true);
    }

    @Test
    void anUnreachableRedisFailsTheBuildWithAStoreException() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        RedisClient unreachable = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(closedPort)
                .withTimeout(Duration.ofSeconds(2)).build());
        try {
            long started = System.nanoTime();
            assertThatThrownBy(() -> RedisIdempotencyStore.builder(unreachable).keyPrefix(prefix).build())
                    .isInstanceOf(IdempotencyStoreException.class)
                    .hasMessageContaining("could not open the Redis idempotency store");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        } finally {
            unreachable.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRedisThatGoesAwayFailsTheClaimWithinTheTimeoutAndTheActionDoesNotRun() throws Exception {
        TcpProxy proxy = proxy();
        RedisIdempotencyStore store = track(RedisIdempotencyStore.builder(proxiedClient(proxy)).keyPrefix(prefix)
                .commandTimeout(Duration.ofMillis(500)).build());
        Idempotency idem = track(Idempotency.builder(store).build());
        AtomicInteger executions = new AtomicInteger();
        assertThat(idem.execute(request("k1"), String.class, () -> "ran-" + executions.incrementAndGet()))
                .isEqualTo("ran-1");

        proxy.close(); // Redis is gone: every connection drops and reconnecting is refused

        long started = System.nanoTime();
        assertThatThrownBy(() -> idem.execute(request("k2"), String.class, () -> "ran-" + executions.incrementAndGet()))
                .isInstanceOf(IdempotencyStoreException.class)
                .hasMessageContaining("Redis failed to claim")
                .hasMessageContaining("k2");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void storesWithDifferentPrefixesNeverSeeEachOthersRecords() {
        RedisIdempotencyStore first = store(prefix);
        String otherPrefix = newPrefixToClean();
        RedisIdempotencyStore second = store(otherPrefix);
        RecordId id = newId();
        Instant now = Instant.now();

        OwnerToken firstOwner = claim(first, id, now, now.plusSeconds(3600));
        claim(second, id, now, now.plusSeconds(3600));
        assertThat(first.complete(id, firstOwner, new StoredResult(new byte[] {7}, "x"))).isTrue();

        assertThat(first.find(id, now).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
        assertThat(second.find(id, now).orElseThrow().status()).isEqualTo(RecordStatus.IN_PROGRESS);
        assertThat(RedisTestServer.keys(prefix)).containsExactly(first.keyOf(id));
        assertThat(RedisTestServer.keys(otherPrefix)).containsExactly(second.keyOf(id));
    }

    @Test
    void aCompletionOnOneInstanceWakesTheWaitersOfAnother() throws Exception {
        RedisIdempotencyStore instanceA = store(prefix);
        RedisIdempotencyStore instanceB = store(prefix);
        RecordId id = newId();
        Instant now = Instant.now();
        OwnerToken owner = claim(instanceA, id, now, now.plusSeconds(3600));
        RecordId other = newId();
        claim(instanceA, other, now, now.plusSeconds(3600));

        try (Waiter.Handle handle = instanceB.waiter().register(id);
             Waiter.Handle unrelated = instanceB.waiter().register(other)) {
            assertThat(instanceA.complete(id, owner, new StoredResult(new byte[] {1}, "x"))).isTrue();

            assertThat(handle.await(Duration.ofSeconds(10))).as("woken through pub/sub").isTrue();
            assertThat(unrelated.await(Duration.ofMillis(200))).as("waiters of other in-progress records stay asleep").isFalse();
        }
    }

    @Test
    void aDuplicateOnOneInstanceReplaysTheResultOfTheOwnerOnAnotherWithoutPolling() throws Exception {
        IdempotencyConfig config = IdempotencyConfig.builder()
                .pollInterval(Duration.ofSeconds(60)).maxWait(Duration.ofSeconds(30)).build();
        Idempotency instanceA = track(Idempotency.builder(store(prefix)).config(config).build());
        CountDownLatch duplicateWaiting = new CountDownLatch(1);
        IdempotencyStore observedB = new ForwardingIdempotencyStore(store(prefix)) {
            @Override
            public Waiter waiter() {
                Waiter real = delegate.waiter();
                return id -> {
                    Waiter.Handle handle = real.register(id);
                    duplicateWaiting.countDown(); // registered before the owner completes: only pub/sub wakes it
                    return handle;
                };
            }
        };
        Idempotency instanceB = track(Idempotency.builder(observedB).config(config).build());
        CountDownLatch ownerRunning = new CountDownLatch(1);
        CountDownLatch finishOwner = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> owner = pool.submit(() -> instanceA.execute(request("k1"), String.class, () -> {
                ownerRunning.countDown();
                finishOwner.await();
                return "sent";
            }));
            assertThat(ownerRunning.await(10, TimeUnit.SECONDS)).isTrue();
            Future<IdempotentOutcome<String>> duplicate = pool.submit(
                    () -> instanceB.executeForOutcome(request("k1"), String.class, () -> "twice"));
            assertThat(duplicateWaiting.await(10, TimeUnit.SECONDS)).as("the duplicate waits").isTrue();
            long released = System.nanoTime();
            finishOwner.countDown();

            assertThat(owner.get(10, TimeUnit.SECONDS)).isEqualTo("sent");
            IdempotentOutcome<String> replay = duplicate.get(20, TimeUnit.SECONDS);
            assertThat(replay.value()).isEqualTo("sent");
            assertThat(replay.replayed()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - released)).as("long before the 60 s poll")
                    .isLessThan(Duration.ofSeconds(10));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withoutNotificationsNothingIsSubscribedOrPublishedAndWaitersPoll() throws Exception {
        RedisIdempotencyStore quiet = track(RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(prefix)
                .notifications(false).build());
        assertThat(RedisTestServer.commands().pubsubNumsub(quiet.channel())).containsEntry(quiet.channel(), 0L);
        RedisIdempotencyStore listening = store(prefix);
        assertThat(RedisTestServer.commands().pubsubNumsub(quiet.channel())).containsEntry(quiet.channel(), 1L);

        RecordId id = newId();
        Instant now = Instant.now();
        OwnerToken owner = claim(quiet, id, now, now.plusSeconds(3600));
        try (Waiter.Handle polling = quiet.waiter().register(id);
             Waiter.Handle pushed = listening.waiter().register(id)) {
            assertThat(quiet.complete(id, owner, new StoredResult(new byte[] {1}, "x"))).isTrue();
            assertThat(pushed.await(Duration.ofMillis(500))).as("the quiet store published nothing").isFalse();
            assertThat(polling.await(Duration.ofMillis(20))).isFalse();
        }
        assertThat(quiet.find(id, now).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
    }

    @Test
    void afterThePubSubConnectionDropsEveryWaiterIsWokenAndWakeUpsResume() throws Exception {
        TcpProxy proxy = proxy();
        RedisIdempotencyStore proxied = track(RedisIdempotencyStore.builder(proxiedClient(proxy)).keyPrefix(prefix)
                .build());
        RedisIdempotencyStore direct = store(prefix);
        RecordId pending = newId();
        Instant now = Instant.now();
        claim(direct, pending, now, now.plusSeconds(3600));

        try (Waiter.Handle handle = proxied.waiter().register(pending)) {
            proxy.cutConnections(); // both of the proxied store's connections drop; Lettuce reconnects them
            assertThat(handle.await(Duration.ofSeconds(10))).as("woken on reconnect to re-read the store").isTrue();
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            RecordId id = newId();
            OwnerToken owner = claim(direct, id, Instant.now(), Instant.now().plusSeconds(3600));
            try (Waiter.Handle handle = proxied.waiter().register(id)) {
                direct.complete(id, owner, new StoredResult(new byte[] {1}, "x"));
                assertThat(handle.await(Duration.ofSeconds(1))).isTrue();
            }
        });
        assertThat(proxied.find(pending, Instant.now())).isPresent();
    }

    @Test
    void dataThatIsNotARecordSurfacesAsAStoreException() {
        RedisIdempotencyStore store = store(prefix);
        RecordId wrongType = newId();
        RecordId corrupt = newId();
        RedisTestServer.commands().set(store.keyOf(wrongType), "not a hash");
        RedisTestServer.commands().hset(store.keyOf(corrupt), Map.of("status", "BOGUS", "expires_at", "x"));
        Instant now = Instant.now();

        assertThatThrownBy(() -> store.claim(new ClaimRequest(wrongType, Fingerprint.EMPTY, now, now.plusSeconds(30),
                now.plusSeconds(60)))).isInstanceOf(IdempotencyStoreException.class)
                .hasMessageContaining("Redis failed to claim").hasMessageContaining("WRONGTYPE");
        assertThatThrownBy(() -> store.find(corrupt, now)).isInstanceOf(IdempotencyStoreException.class)
                .hasMessageContaining("is corrupt");
    }

    @Test
    void closeClosesTheStoresConnectionsButNotTheClient() {
        RedisIdempotencyStore store = RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(prefix).build();
        store.close();

        assertThatThrownBy(() -> store.find(newId(), Instant.now())).isInstanceOf(IdempotencyStoreException.class)
                .hasMessageContaining("Redis failed to find");
        assertThat(RedisTestServer.commands().pubsubNumsub(store.channel())).containsEntry(store.channel(), 0L);
        try (RedisIdempotencyStore again = RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(prefix)
                .build()) {
            assertThat(again.find(newId(), Instant.now())).isEmpty();
        }
    }

    // ---------------------------------------------------------------- helpers

    private String newPrefixToClean() {
        String p = RedisTestServer.uniquePrefix();
        prefixes.add(p);
        return p;
    }

    private RedisIdempotencyStore store(String keyPrefix) {
        return track(RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(keyPrefix).build());
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private TcpProxy proxy() throws Exception {
        RedisURI upstream = RedisURI.create(RedisTestServer.url().orElseThrow());
        return track(new TcpProxy(upstream.getHost(), upstream.getPort()));
    }

    private RedisClient proxiedClient(TcpProxy proxy) {
        RedisURI uri = RedisURI.create(RedisTestServer.url().orElseThrow());
        uri.setHost("127.0.0.1");
        uri.setPort(proxy.port());
        RedisClient client = RedisClient.create(uri);
        track(() -> client.shutdown(0, 1, TimeUnit.SECONDS));
        return client;
    }

    private static OwnerToken claim(RedisIdempotencyStore store, RecordId id, Instant now, Instant expiresAt) {
        ClaimResult result = store.claim(new ClaimRequest(id, Fingerprint.EMPTY, now, now.plusSeconds(5), expiresAt));
        assertThat(result).isInstanceOf(ClaimResult.Claimed.class);
        return ((ClaimResult.Claimed) result).token();
    }

    private static RecordId newId() {
        return new RecordId("user-1", "test.action", UUID.randomUUID().toString());
    }

    private static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder("test.action").scope("user-1").key(key)
                .payload("body".getBytes(StandardCharsets.UTF_8)).build();
    }
}
