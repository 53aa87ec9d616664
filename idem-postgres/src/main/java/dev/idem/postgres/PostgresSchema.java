package dev.idem.postgres;

import dev.idem.IdempotencyStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Creates Idem's table. The statements are those of the Flyway-compatible migrations in {@code db/idem} on the
 * classpath ({@link #MIGRATIONS}, in order; add {@code classpath:db/idem} to Flyway's locations to migrate with
 * Flyway instead), with the table name substituted. Idempotent: safe to run at every start. A released migration
 * never changes (Flyway would refuse its checksum); a change to the table is a new {@code V<n>__*.sql}. Thread-safe.
 */
public final class PostgresSchema {

    /** Classpath location of the migration, for Flyway's {@code locations}. */
    public static final String MIGRATION_LOCATION = "classpath:db/idem";
    /** The migrations, oldest first, as classpath resources. */
    public static final List<String> MIGRATIONS = List.of("/db/idem/V1__idempotency_keys.sql",
            "/db/idem/V2__idempotency_keys_waiters.sql");
    private static final Pattern DEFAULT_NAMES = Pattern.compile("\\bidempotency_keys(_[a-z_]+)?\\b");

    /** PostgreSQL's SQLState for a transaction aborted to break a deadlock. */
    private static final String DEADLOCK = "40P01";
    /** Runs of the DDL before a deadlock is reported. */
    private static final int DDL_ATTEMPTS = 5;

    private PostgresSchema() {
    }

    /** Creates the default table {@code idempotency_keys} if it does not exist. */
    public static void create(DataSource dataSource) {
        create(dataSource, TableName.DEFAULT);
    }

    /**
     * Creates {@code table} (validated: {@code [a-z_][a-z0-9_]*}, optionally schema-qualified) if it does not
     * exist.
     *
     * @throws IllegalArgumentException  for an invalid table name
     * @throws IdempotencyStoreException if the database refuses the statements
     */
    public static void create(DataSource dataSource, String table) {
        String sql = sql(table);
        // another instance starting, or live traffic on an existing table, can deadlock with the DDL: PostgreSQL
        // then aborts one side (SQLState 40P01), and running the idempotent statements again is safe
        for (int attempt = 1; ; attempt++) {
            try {
                createOnce(dataSource, sql);
                return;
            } catch (SQLException e) {
                if (!DEADLOCK.equals(e.getSQLState()) || attempt == DDL_ATTEMPTS) {
                    throw new IdempotencyStoreException("could not create the idempotency table " + table + ": "
                            + e.getMessage(), e);
                }
                try {
                    Thread.sleep(100L * attempt); // backing off before the next attempt, not synchronisation
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IdempotencyStoreException("interrupted while creating the idempotency table " + table,
                            interrupted);
                }
            }
        }
    }

    private static void createOnce(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                statement.execute(sql);
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /** The DDL for {@code table}. */
    public static String sql(String table) {
        TableName name = TableName.of(table);
        // idempotency_keys_pkey and friends are object names (unqualified); bare idempotency_keys is the table
        Matcher m = DEFAULT_NAMES.matcher(migrations());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) != null ? name.simple() + m.group(1) : name.sql();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String migrations() {
        StringBuilder all = new StringBuilder();
        for (String migration : MIGRATIONS) {
            try (InputStream in = PostgresSchema.class.getResourceAsStream(migration)) {
                if (in == null) {
                    throw new IllegalStateException(migration + " is missing from the classpath");
                }
                all.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all.toString();
    }
}
