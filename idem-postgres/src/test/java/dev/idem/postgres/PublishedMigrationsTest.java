package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.testing.PostgresTestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A migration, once released, never changes: anyone who applied it would fail Flyway's checksum validation. Each
 * released file's SHA-256 is pinned here; a change to the table is a new {@code V<n>__*.sql}, added to
 * {@link PostgresSchema#MIGRATIONS} and pinned below.
 */
class PublishedMigrationsTest {

    /** Released migrations and the SHA-256 of their bytes. */
    private static final Map<String, String> RELEASED = new LinkedHashMap<>();

    static {
        RELEASED.put("V1__idempotency_keys.sql", "c6734bab0c8eb91c45395be0ab2b4321d15c0dde3d675a5f0bd48757ffac21ea");
        RELEASED.put("V2__idempotency_keys_waiters.sql",
                "4eb58a66d2dd5ee984a609e60f833c82b5d74a62854cb57bef6a947532126e62");
    }

    @Test
    void noReleasedMigrationHasChanged() throws Exception {
        for (Map.Entry<String, String> released : RELEASED.entrySet()) {
            assertThat(sha256("/db/idem/" + released.getKey())).as("%s was released; put the change in a new V<n>"
                    + " migration instead", released.getKey()).isEqualTo(released.getValue());
        }
    }

    @Test
    void everyMigrationOnTheClassPathIsPinnedAndAppliedBySchemaCreation() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(PostgresSchema.class.getResource("/db/idem").toURI()))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrderElementsOf(
                    RELEASED.keySet());
        }
        assertThat(PostgresSchema.MIGRATIONS).containsExactlyElementsOf(
                RELEASED.keySet().stream().map(name -> "/db/idem/" + name).toList());
    }

    @Test
    void aTableMadeByTheFirstReleaseIsMigratedByFlywayToTheCurrentOne() {
        String schema = "idem_m_" + Long.toHexString(System.nanoTime());
        try {
            Flyway.configure().dataSource(PostgresFixture.dataSource()).schemas(schema).createSchemas(true)
                    .locations(PostgresSchema.MIGRATION_LOCATION).target("1").load().migrate();
            assertThat(waitersColumns(schema)).as("V1 as released has no waiters column").isZero();

            Flyway.configure().dataSource(PostgresFixture.dataSource()).schemas(schema)
                    .locations(PostgresSchema.MIGRATION_LOCATION).load().migrate();

            assertThat(waitersColumns(schema)).isEqualTo(1);
        } finally {
            PostgresTestDatabase.execute(PostgresFixture.dataSource(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static long waitersColumns(String schema) {
        return PostgresFixture.count("SELECT count(*) FROM information_schema.columns WHERE table_schema = ?"
                + " AND table_name = 'idempotency_keys' AND column_name = 'waiters'", schema);
    }

    private static String sha256(String resource) throws IOException, NoSuchAlgorithmException {
        try (InputStream in = PublishedMigrationsTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }
}
