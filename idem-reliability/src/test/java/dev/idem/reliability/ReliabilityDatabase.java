package dev.idem.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idem.postgres.PostgresSchema;
import dev.idem.testing.PostgresTestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database of its own for the suite on the test PostgreSQL ({@link PostgresTestDatabase}: the server named by
 * IDEM_TEST_PG_URL, or an embedded one), created empty and dropped at the end, so the app instances migrate a fresh
 * schema and counts start from zero. Thread-safe.
 */
final class ReliabilityDatabase implements AutoCloseable {

    private static final Pattern JDBC_URL = Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]*)(\\?.*)?");

    final String host;
    final int port;
    final String name;
    private final String query;
    private final String adminUrl;
    private final HikariDataSource dataSource;

    private ReliabilityDatabase(String adminUrl) {
        Matcher m = JDBC_URL.matcher(adminUrl);
        if (!m.matches()) {
            throw new IllegalStateException("cannot read host, port and database from " + adminUrl);
        }
        this.adminUrl = adminUrl;
        this.host = m.group(1);
        this.port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
        this.name = "idem_reliability_" + Long.toHexString(System.nanoTime());
        this.query = m.group(4) == null ? "" : m.group(4);
        adminExecute("CREATE DATABASE " + name);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(directUrl());
        config.setMaximumPoolSize(8);
        config.setPoolName("reliability-test");
        this.dataSource = new HikariDataSource(config);
        PostgresSchema.create(dataSource); // created once here, not raced by three starting instances
        execute("CREATE TABLE fault_invocations (id bigserial PRIMARY KEY, label text NOT NULL,"
                + " instance text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
        execute("CREATE TABLE fault_effects (id bigserial PRIMARY KEY, label text NOT NULL,"
                + " effect_key text NOT NULL UNIQUE, instance text NOT NULL,"
                + " created_at timestamptz NOT NULL DEFAULT now())");
    }

    static ReliabilityDatabase create() {
        return new ReliabilityDatabase(PostgresTestDatabase.jdbcUrl());
    }

    /** The JDBC URL of this database on the server itself, without any proxy. */
    String directUrl() {
        return urlVia(host, port);
    }

    /** The JDBC URL an app instance uses: through {@code proxyPort}, SQL text on the wire for every statement. */
    String urlVia(String viaHost, int viaPort) {
        String params = query.isEmpty() ? "?prepareThreshold=0" : query + "&prepareThreshold=0";
        return "jdbc:postgresql://" + viaHost + ":" + viaPort + "/" + name + params;
    }

    HikariDataSource dataSource() {
        return dataSource;
    }

    long count(String sql, Object... params) {
        return query(sql, params, rs -> {
            rs.next();
            return rs.getLong(1);
        });
    }

    /** Starts of the test action with this label, as {@code fault_invocations} recorded them. */
    long invocations(String label) {
        return count("SELECT count(*) FROM fault_invocations WHERE label = ?", label);
    }

    /** Effects the test action with this label wrote ({@code fault_effects}). */
    long effects(String label) {
        return count("SELECT count(*) FROM fault_effects WHERE label = ?", label);
    }

    /**
     * Whether a completed record of {@code key} in {@code scope} holds {@code body}, the response a client received:
     * false when the client's answer is not what the record replays (or the record was never completed). The filter
     * stores the response body verbatim inside its record, and the JSON codec stores a string result as a JSON
     * string, so containment of either form is the check.
     */
    boolean recordHolds(String scope, String key, String body) {
        List<byte[]> stored = query("SELECT body FROM idempotency_keys WHERE scope = ? AND idem_key = ?"
                + " AND status = 'COMPLETED'", new Object[] {scope, key}, rs -> {
                    List<byte[]> bodies = new java.util.ArrayList<>();
                    while (rs.next()) {
                        bodies.add(rs.getBytes(1));
                    }
                    return bodies;
                });
        return anyHolds(stored, body);
    }

    /**
     * Whether one of the stored record bodies holds {@code body}: verbatim (the filter's stored response) or as a JSON
     * string (the JSON codec's string result).
     */
    static boolean anyHolds(List<byte[]> stored, String body) {
        String raw = latin1(body.getBytes(StandardCharsets.UTF_8));
        String asJsonString = raw.replace("\\", "\\\\").replace("\"", "\\\"");
        return stored.stream().map(ReliabilityDatabase::latin1).anyMatch(s -> s.contains(raw) || s.contains(asJsonString));
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The first column of the first row, or null when there is no row. */
    String string(String sql, Object... params) {
        return query(sql, params, rs -> rs.next() ? rs.getString(1) : null);
    }

    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String sql, Object[] params, RowReader<T> reader) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test query failed: " + sql, e);
        }
    }

    void execute(String sql) {
        PostgresTestDatabase.execute(dataSource, sql);
    }

    @Override
    public void close() {
        dataSource.close();
        adminExecute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private void adminExecute(String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run " + sql + " on " + adminUrl, e);
        }
    }
}
