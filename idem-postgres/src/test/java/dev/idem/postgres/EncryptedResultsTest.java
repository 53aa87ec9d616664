package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.ResultEncryption;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Results encrypted at rest, on a real PostgreSQL: the table never holds the plaintext, in either mode. */
class EncryptedResultsTest {

    private static final String SECRET = "alice@example.com / session 4f3a-77c1";

    private String table;
    private PostgresIdempotencyStore store;
    private Idempotency idempotency;

    @BeforeEach
    void setUp() {
        table = PostgresFixture.newTable();
        store = PostgresIdempotencyStore.builder(PostgresFixture.dataSource()).table(table).build();
        ResultEncryption encryption = ResultEncryption.aesGcm("2026-12",
                Map.of("2026-12", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
        idempotency = Idempotency.builder(store).config(IdempotencyConfig.builder().encryption(encryption).build())
                .build();
    }

    @AfterEach
    void tearDown() {
        idempotency.close();
        store.close();
        PostgresFixture.drop(table);
    }

    @Test
    void aTwoPhaseResultIsStoredEncryptedAndReplayedInPlain() throws Exception {
        IdempotencyRequest request = request();

        idempotency.execute(request, String.class, () -> SECRET);

        assertThat(idempotency.execute(request, String.class, () -> "ran again")).isEqualTo(SECRET);
        assertThat(storedBody(request)).doesNotContain("alice@example.com").doesNotContain("4f3a").contains("2026-12");
    }

    @Test
    void aTransactionalResultIsStoredEncryptedToo() throws Exception {
        TransactionalIdempotency tx = new TransactionalIdempotency(idempotency, store);
        IdempotencyRequest request = request();

        tx.execute(request, String.class, c -> SECRET);

        assertThat(tx.execute(request, String.class, c -> "ran again")).isEqualTo(SECRET);
        assertThat(storedBody(request)).doesNotContain("alice@example.com").doesNotContain("4f3a");
    }

    private static IdempotencyRequest request() {
        return IdempotencyRequest.builder("signup").scope("alice").key(UUID.randomUUID().toString())
                .payload("{}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private String storedBody(IdempotencyRequest request) throws SQLException {
        try (Connection c = PostgresFixture.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT body FROM " + table + " WHERE idem_key = ?")) {
            ps.setString(1, request.key().orElseThrow());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return new String(rs.getBytes(1), StandardCharsets.ISO_8859_1);
            }
        }
    }
}
