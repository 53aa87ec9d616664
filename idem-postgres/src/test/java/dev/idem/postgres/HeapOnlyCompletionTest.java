package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredResult;
import dev.idem.testing.PostgresTestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A completion updates no indexed column (status, content type and body; the indexes are the primary key and
 * {@code expires_at}), so when its row's page has room it is a heap-only tuple (HOT) update: no index gets a new
 * entry and the old version is reclaimed by page pruning, not by VACUUM. In the engine's order (claim, the action,
 * completion) the claim's page is still the one being filled, so at the default fillfactor every completion finds
 * room. Counted from the server's own statistics ({@code pg_stat_user_tables}); the control indexes {@code status}
 * and must see no HOT update at all, so the count can tell.
 */
class HeapOnlyCompletionTest {

    private static final int RECORDS = 1_000;
    /** A small JSON response, the typical stored result. */
    private static final byte[] BODY = ("{\"id\":\"" + "x".repeat(180) + "\"}").getBytes(StandardCharsets.UTF_8);

    @Test
    void everyCompletionRightAfterItsClaimIsAHeapOnlyUpdate() {
        String table = PostgresFixture.newTable();
        try {
            lifecycles(table);
            assertThat(hotUpdatesOnceCounted(table)).isGreaterThanOrEqualTo(RECORDS * 99 / 100);
        } finally {
            PostgresFixture.drop(table);
        }
    }

    @Test
    void controlWithStatusIndexedNoCompletionIsAHeapOnlyUpdate() {
        String table = PostgresFixture.newTable();
        try {
            PostgresTestDatabase.execute(PostgresFixture.dataSource(), "CREATE INDEX ON " + table + " (status)");
            lifecycles(table);
            assertThat(hotUpdatesOnceCounted(table)).isZero();
        } finally {
            PostgresFixture.drop(table);
        }
    }

    /** {@link #RECORDS} claims, each completed at once, as the engine does around a quick action. */
    private static void lifecycles(String table) {
        try (PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(PostgresFixture.dataSource())
                .table(table).notifications(false).build()) {
            for (int i = 0; i < RECORDS; i++) {
                Instant now = Instant.now();
                RecordId id = new RecordId("user-" + (i % 10), "orders.create", "key-" + i);
                ClaimResult.Claimed claimed = (ClaimResult.Claimed) store.claim(new ClaimRequest(id, Fingerprint.EMPTY,
                        now, now.plusSeconds(30), now.plusSeconds(86_400)));
                assertThat(store.complete(id, claimed.token(), new StoredResult(BODY, "application/json"))).isTrue();
            }
        }
    }

    /**
     * The table's HOT updates, read once the server counted all {@link #RECORDS} updates (each backend reports its
     * counts when it goes idle, within about a second).
     */
    private static long hotUpdatesOnceCounted(String table) {
        String stats = "FROM pg_stat_user_tables WHERE relid = ?::regclass";
        await().atMost(Duration.ofSeconds(30)).until(() -> PostgresFixture.count("SELECT n_tup_upd " + stats, table) >= RECORDS);
        return PostgresFixture.count("SELECT n_tup_hot_upd " + stats, table);
    }
}
