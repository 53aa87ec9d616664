package dev.idem.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.testing.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One connection pool per test JVM on the real test PostgreSQL, plus small SQL helpers. */
final class PostgresFixture {

    private static HikariDataSource dataSource;

    private PostgresFixture() {
    }

    static synchronized HikariDataSource dataSource() {
        if (dataSource == null) {
            dataSource = PostgresTestDatabase.newDataSource(60);
        }
        return dataSource;
    }

    /** A new, empty Idem table with a unique name. */
    static String newTable() {
        String table = PostgresTestDatabase.uniqueTableName("idem_t");
        PostgresSchema.create(dataSource(), table);
        return table;
    }

    static void drop(String table) {
        PostgresTestDatabase.execute(dataSource(), "DROP TABLE IF EXISTS " + table);
    }

    static long count(String sql, Object... args) {
        return PostgresTestDatabase.count(dataSource(), sql, args);
    }

    static String string(String sql, Object... args) {
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The server process id of a connection, to terminate it from another one (a real crash of that session). */
    static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static void terminateBackend(int pid) {
        count("SELECT count(*) FROM (SELECT pg_terminate_backend(?)) t", pid);
    }
}
