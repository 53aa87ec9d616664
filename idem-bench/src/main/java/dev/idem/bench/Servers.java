package dev.idem.bench;

import dev.idem.testing.PostgresTestDatabase;
import dev.idem.testing.RedisTestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** Which servers a run measured, for the first lines of its result file. Stateless, thread-safe. */
final class Servers {

    private Servers() {
    }

    /** {@code SHOW server_version} of {@code pool}'s server. */
    static String postgresVersion(DataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** "PostgreSQL 15.20 (...) (machine server)", or embedded with fsync off. */
    static String postgres(DataSource pool) throws SQLException {
        return "PostgreSQL " + postgresVersion(pool)
                + (PostgresTestDatabase.isEmbedded() ? " (embedded, fsync off)" : " (machine server)");
    }

    /** ", Redis 7.0.15 at URL" (its INFO version) when {@code IDEM_TEST_REDIS_URL} is set, else empty. */
    static String redis() {
        if (!RedisTestServer.isConfigured()) {
            return "";
        }
        String version = RedisTestServer.commands().info("server").lines()
                .filter(line -> line.startsWith("redis_version:")).map(line -> line.substring("redis_version:".length()))
                .findFirst().orElse("(version unknown)");
        return ", Redis " + version.strip() + " at " + System.getenv(RedisTestServer.URL_VARIABLE);
    }
}
