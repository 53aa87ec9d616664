package dev.idem.postgres;

import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.IdempotencyStoreInspection;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store's SQL, each operation one statement (one round trip) on a connection it is given. It neither
 * commits nor closes: the caller decides the transaction. Every write after the claim is guarded by the
 * owner token and by {@code status = 'IN_PROGRESS'}. Immutable and thread-safe (connections are not shared).
 */
final class PostgresRecords {

    private static final int MAX_CLAIM_ATTEMPTS = 10;
    private static final String COLUMNS = "fingerprint, status, lease_until, expires_at, content_type, body";
    /** What a finish returns besides what its caller already holds (status, content type, body). */
    private static final String FINISHED_COLUMNS = "fingerprint, lease_until, expires_at";

    private final TableName table;
    private final boolean notify;
    private final String claimSql;
    private final String takeoverSql;
    private final String findSql;
    private final String finishSql;
    private final String releaseSql;
    private final String renewSql;
    private final String pruneSql;
    private final String flagWaiterSql;

    PostgresRecords(TableName table, boolean notify) {
        this.table = table;
        this.notify = notify;
        String t = table.sql();
        String pk = "scope = ? AND action = ? AND idem_key = ?";
        // One round trip either way: an existing row is read (and then nothing is inserted: no speculative insertion,
        // so a replay costs little more than a SELECT); an absent key is inserted. The read uses the statement's
        // snapshot, so a row inserted concurrently (the INSERT waited for it) is invisible and no row comes back:
        // the caller simply runs the statement again.
        this.claimSql = "WITH existing AS (SELECT " + COLUMNS + " FROM " + t + " WHERE " + pk + "),"
                + " claimed AS (INSERT INTO " + t + " (scope, action, idem_key, fingerprint, status, owner_token,"
                + " lease_until, expires_at, created_at) SELECT ?, ?, ?, ?, 'IN_PROGRESS', ?, ?, ?, ?"
                + " WHERE NOT EXISTS (SELECT 1 FROM existing)"
                + " ON CONFLICT (scope, action, idem_key) DO NOTHING RETURNING 1)"
                + " SELECT true AS claimed, NULL::text AS fingerprint, NULL::text AS status,"
                + " NULL::timestamptz AS lease_until, NULL::timestamptz AS expires_at, NULL::text AS content_type,"
                + " NULL::bytea AS body FROM claimed"
                + " UNION ALL SELECT false, " + COLUMNS + " FROM existing";
        // Takes over an expired record, or an in-progress one whose owner's lease ended (same request only).
        this.takeoverSql = "UPDATE " + t + " SET fingerprint = ?, status = 'IN_PROGRESS', owner_token = ?,"
                + " lease_until = ?, expires_at = ?, created_at = ?, content_type = NULL, body = NULL"
                + " WHERE " + pk + " AND (expires_at <= ?"
                + " OR (status = 'IN_PROGRESS' AND lease_until <= ? AND fingerprint = ?))";
        this.findSql = "SELECT " + COLUMNS + " FROM " + t + " WHERE " + pk + " AND expires_at > ?";
        String finish = "UPDATE " + t + " SET status = ?, content_type = ?, body = ?"
                + " WHERE " + pk + " AND owner_token = ? AND status = 'IN_PROGRESS'";
        String release = "DELETE FROM " + t + " WHERE " + pk + " AND owner_token = ? AND status = 'IN_PROGRESS'";
        // A finishing write returns a row exactly when it wrote: for a finish, the columns that make the finished
        // record whole, so the store hands it to this instance's own waiters at once. With notifications, the write
        // and its NOTIFY are one statement, and the NOTIFY (sent at commit) is issued only when a duplicate flagged
        // the record as waited for: uncontended records never pay for it. A finish's NOTIFY also carries the
        // finished record when it is small enough (WakeUpMessage); the payload, and so the copy of the body it
        // needs, is computed in RETURNING only for a flagged record.
        this.finishSql = notify
                ? withNotify(finish, FINISHED_COLUMNS + ", waiters, CASE WHEN waiters THEN "
                        + WakeUpMessage.carryingSql() + " END AS payload", "payload", FINISHED_COLUMNS)
                : finish + " RETURNING " + FINISHED_COLUMNS;
        this.releaseSql = notify ? withNotify(release, "waiters", "?", "true") : release + " RETURNING true";
        this.flagWaiterSql = "UPDATE " + t + " SET waiters = true WHERE " + pk + " AND status = 'IN_PROGRESS'";
        this.renewSql = "UPDATE " + t + " SET lease_until = ?, expires_at = GREATEST(expires_at, ?)"
                + " WHERE " + pk + " AND owner_token = ? AND status = 'IN_PROGRESS'";
        this.pruneSql = "DELETE FROM " + t + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + t
                + " WHERE expires_at <= ? ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)) AND expires_at <= ?";
    }

    private String withNotify(String write, String returning, String payload, String selected) {
        return "WITH written AS (" + write + " RETURNING " + returning + "),"
                + " notified AS (SELECT pg_notify('" + table.channel() + "', " + payload + ") FROM written WHERE waiters)"
                + " SELECT " + selected + ", (SELECT count(*) FROM notified) FROM written";
    }

    TableName table() {
        return table;
    }

    ClaimResult claim(Connection c, ClaimRequest request) throws SQLException {
        return claim(c, request, "", "", () -> { });
    }

    /**
     * The claim, sent in one round trip together with {@code before} and {@code after} (plain statements ending
     * in {@code ;}, or empty), which run whatever the claim's outcome: transactional mode uses them to bound the
     * wait on a concurrent claim and to set its savepoint. {@code onConcurrentClaim} runs when the statement met a
     * claim of the same key that was not committed yet (its INSERT waited for it).
     */
    ClaimResult claim(Connection c, ClaimRequest request, String before, String after, Runnable onConcurrentClaim)
            throws SQLException {
        RecordId id = request.id();
        String sql = before + claimSql + (after.isEmpty() ? "" : "; " + after);
        for (int attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
            OwnerToken token = OwnerToken.random();
            StoredRecord existing;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = bindId(ps, 1, id);
                i = bindId(ps, i, id);
                ps.setString(i++, request.fingerprint().hex());
                ps.setString(i++, token.value());
                ps.setObject(i++, ts(request.leaseUntil()));
                ps.setObject(i++, ts(request.expiresAt()));
                ps.setObject(i, ts(request.now()));
                try (ResultSet rs = firstResultSet(ps)) {
                    if (!rs.next()) {
                        onConcurrentClaim.run();
                        continue; // inserted concurrently and not yet visible to this statement: read again
                    }
                    if (rs.getBoolean("claimed")) {
                        return new ClaimResult.Claimed(token, false);
                    }
                    existing = readRecord(id, rs);
                }
            }
            if (!takeable(existing, request)) {
                return new ClaimResult.Existing(existing);
            }
            if (takeOver(c, request, token)) {
                return new ClaimResult.Claimed(token, true);
            }
            // another caller changed the record between our read and our update: look again
        }
        throw new IdempotencyStoreException("could not settle the claim of " + id + " after "
                + MAX_CLAIM_ATTEMPTS + " attempts under heavy contention");
    }

    /** Whether {@code request} may take {@code existing} over: it expired, or its owner's lease ended (same request). */
    static boolean takeable(StoredRecord existing, ClaimRequest request) {
        Instant now = request.now();
        return existing.expiredAt(now)
                || (existing.leaseExpiredAt(now) && existing.fingerprint().equals(request.fingerprint()));
    }

    /** The first result set of a statement that may begin (or end) with statements returning update counts. */
    private static ResultSet firstResultSet(PreparedStatement ps) throws SQLException {
        boolean isResultSet = ps.execute();
        while (!isResultSet) {
            if (ps.getUpdateCount() == -1) {
                throw new SQLException("the claim statement returned no result set");
            }
            isResultSet = ps.getMoreResults();
        }
        return ps.getResultSet();
    }

    private boolean takeOver(Connection c, ClaimRequest request, OwnerToken token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(takeoverSql)) {
            int i = 1;
            ps.setString(i++, request.fingerprint().hex());
            ps.setString(i++, token.value());
            ps.setObject(i++, ts(request.leaseUntil()));
            ps.setObject(i++, ts(request.expiresAt()));
            ps.setObject(i++, ts(request.now()));
            i = bindId(ps, i, request.id());
            ps.setObject(i++, ts(request.now()));
            ps.setObject(i++, ts(request.now()));
            ps.setString(i, request.fingerprint().hex());
            return ps.executeUpdate() == 1;
        }
    }

    Optional<StoredRecord> find(Connection c, RecordId id, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(findSql)) {
            int i = bindId(ps, 1, id);
            ps.setObject(i, ts(now));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readRecord(id, rs)) : Optional.empty();
            }
        }
    }

    /** Completes the owner's record; returns it as written, or null when the token does not own it in progress. */
    StoredRecord complete(Connection c, RecordId id, OwnerToken token, StoredResult result) throws SQLException {
        return finish(c, "", id, token, result, null);
    }

    /**
     * The completion and the COMMIT of its transaction in one round trip (the statements go out together and the
     * server runs the COMMIT only if the completion succeeded). The caller's own commit then has nothing left to do.
     * Returns the record as committed, or null as {@link #complete}.
     */
    StoredRecord completeAndCommit(Connection c, RecordId id, OwnerToken token, StoredResult result)
            throws SQLException {
        return finish(c, "; COMMIT", id, token, result, null);
    }

    /** Fails the owner's record; returns it as written, or null when the token does not own it in progress. */
    StoredRecord fail(Connection c, RecordId id, OwnerToken token, StoredError error) throws SQLException {
        return finish(c, "", id, token, null, error);
    }

    private StoredRecord finish(Connection c, String then, RecordId id, OwnerToken token, StoredResult result,
                                StoredError error) throws SQLException {
        RecordStatus status = result != null ? RecordStatus.COMPLETED : RecordStatus.FAILED;
        try (PreparedStatement ps = c.prepareStatement(finishSql + then)) {
            ps.setString(1, status.name());
            ps.setString(2, result != null ? result.contentType() : StoredError.CONTENT_TYPE);
            ps.setBytes(3, result != null ? result.body() : error.encode());
            int i = bindId(ps, 4, id);
            ps.setString(i++, token.value());
            if (notify) {
                ps.setString(i, id.digest());
            }
            try (ResultSet rs = firstResultSet(ps)) {
                if (!rs.next()) {
                    return null;
                }
                return new StoredRecord(id, new Fingerprint(rs.getString("fingerprint")), status,
                        rs.getObject("lease_until", OffsetDateTime.class).toInstant(),
                        rs.getObject("expires_at", OffsetDateTime.class).toInstant(), result, error);
            }
        }
    }

    boolean release(Connection c, RecordId id, OwnerToken token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(releaseSql)) {
            int i = bindId(ps, 1, id);
            ps.setString(i++, token.value());
            if (notify) {
                ps.setString(i, id.digest());
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Marks an in-progress record as waited for, so its owner will NOTIFY when it finishes.
     *
     * @return false when the record is no longer in progress (finished, released or expired away): nothing
     *         will be notified, so the waiter should look again now
     */
    boolean flagWaiter(Connection c, RecordId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(flagWaiterSql)) {
            bindId(ps, 1, id);
            return ps.executeUpdate() == 1;
        }
    }

    boolean renewLease(Connection c, RecordId id, OwnerToken token, Instant leaseUntil) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(renewSql)) {
            ps.setObject(1, ts(leaseUntil));
            ps.setObject(2, ts(leaseUntil));
            int i = bindId(ps, 3, id);
            ps.setString(i, token.value());
            return ps.executeUpdate() == 1;
        }
    }

    int pruneExpiredBefore(Connection c, Instant cutoff, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(pruneSql)) {
            ps.setObject(1, ts(cutoff));
            ps.setInt(2, limit);
            ps.setObject(3, ts(cutoff));
            return ps.executeUpdate();
        }
    }

    private static int bindId(PreparedStatement ps, int index, RecordId id) throws SQLException {
        ps.setString(index, id.scope());
        ps.setString(index + 1, id.action());
        ps.setString(index + 2, id.key());
        return index + 3;
    }

    /** Operators' reads and deletes ({@link PostgresIdempotencyStore}'s {@code IdempotencyStoreInspection}). */
    Optional<IdempotencyStoreInspection.Inspected> inspect(Connection c, RecordId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", created_at FROM " + table.sql()
                + " WHERE scope = ? AND action = ? AND idem_key = ?")) {
            bindId(ps, 1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(inspected(id, rs)) : Optional.empty();
            }
        }
    }

    List<IdempotencyStoreInspection.Inspected> stuck(Connection c, Instant now, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT scope, action, idem_key, " + COLUMNS + ", created_at"
                + " FROM " + table.sql() + " WHERE status = 'IN_PROGRESS' AND lease_until <= ?"
                + " ORDER BY lease_until LIMIT ?")) {
            ps.setObject(1, ts(now));
            ps.setInt(2, limit);
            List<IdempotencyStoreInspection.Inspected> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(inspected(new RecordId(rs.getString("scope"), rs.getString("action"),
                            rs.getString("idem_key")), rs));
                }
            }
            return found;
        }
    }

    Map<RecordStatus, Long> countByStatus(Connection c) throws SQLException {
        Map<RecordStatus, Long> counts = new EnumMap<>(RecordStatus.class);
        for (RecordStatus status : RecordStatus.values()) {
            counts.put(status, 0L);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT status, count(*) FROM " + table.sql()
                + " GROUP BY status"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(RecordStatus.valueOf(rs.getString(1)), rs.getLong(2));
            }
        }
        return counts;
    }

    boolean delete(Connection c, RecordId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table.sql()
                + " WHERE scope = ? AND action = ? AND idem_key = ?")) {
            bindId(ps, 1, id);
            return ps.executeUpdate() == 1;
        }
    }

    private static IdempotencyStoreInspection.Inspected inspected(RecordId id, ResultSet rs) throws SQLException {
        return new IdempotencyStoreInspection.Inspected(readRecord(id, rs),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }

    private static StoredRecord readRecord(RecordId id, ResultSet rs) throws SQLException {
        return record(id, new Fingerprint(rs.getString("fingerprint")), RecordStatus.valueOf(rs.getString("status")),
                rs.getObject("lease_until", OffsetDateTime.class).toInstant(),
                rs.getObject("expires_at", OffsetDateTime.class).toInstant(), rs.getString("content_type"),
                rs.getBytes("body"));
    }

    /** A record from its columns' values (a row read, or a notification's carried copy). */
    static StoredRecord record(RecordId id, Fingerprint fingerprint, RecordStatus status, Instant leaseUntil,
                               Instant expiresAt, String contentType, byte[] body) {
        StoredResult result = null;
        StoredError error = null;
        if (status == RecordStatus.COMPLETED) {
            result = new StoredResult(body, contentType);
        } else if (status == RecordStatus.FAILED) {
            error = StoredError.decode(body);
        }
        return new StoredRecord(id, fingerprint, status, leaseUntil, expiresAt, result, error);
    }

    private static OffsetDateTime ts(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
