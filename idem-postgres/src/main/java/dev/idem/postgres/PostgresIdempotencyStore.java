package dev.idem.postgres;

import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.IdempotencyStoreInspection;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.SignalingWaiter;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * The PostgreSQL store: plain JDBC over any {@link DataSource}, one statement per operation in auto-commit
 * (a claim of a new key is one round trip, and so is the replay of a finished one), every write after the
 * claim fenced by the owner token, expiry decided by the engine's clock. Waiting duplicates are woken by
 * LISTEN/NOTIFY: a waiting duplicate flags the record, its owner's completion, failure or release then notifies
 * the table's channel (uncontended records never NOTIFY, so they never queue on PostgreSQL's notification lock),
 * and one listening connection per store wakes the waiters of this JVM (so the pool needs one connection more
 * than the work needs). The notification carries the finished record when its body is small, so those waiters
 * replay it without a read; waiters on the instance that finished the record get it in the JVM at commit.
 *
 * <p>Thread-safe and immutable once built; {@link #close()} stops the listener. Create the table with
 * {@link PostgresSchema} or the Flyway migration {@code db/idem/V1__idempotency_keys.sql}.
 */
public final class PostgresIdempotencyStore implements IdempotencyStore, IdempotencyStoreInspection, AutoCloseable {

    private final DataSource dataSource;
    private final PostgresRecords records;
    private final SignalingWaiter waiter;
    private final NotificationListener listener;
    private final ClaimOrder order;

    private PostgresIdempotencyStore(Builder b) {
        this.dataSource = b.dataSource;
        this.order = b.order;
        this.records = new PostgresRecords(TableName.of(b.table), b.notifications);
        this.waiter = new SignalingWaiter();
        this.listener = b.notifications
                ? NotificationListener.start(dataSource, records.table().channel(), waiter) : null;
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** A store on the default table {@code idempotency_keys}, with notifications. */
    public static PostgresIdempotencyStore create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /**
     * One statement for a new key. While most recent claims found a record (a replay storm), it reads the key with
     * a plain SELECT first and claims only when that found nothing it must answer with ({@link ClaimOrder}).
     */
    @Override
    public ClaimResult claim(ClaimRequest request) {
        return call("claim", request.id(), c -> {
            if (order.readFirst()) {
                Optional<StoredRecord> existing = records.find(c, request.id(), request.now());
                if (existing.isPresent() && !PostgresRecords.takeable(existing.get(), request)) {
                    order.observe(true);
                    return new ClaimResult.Existing(existing.get());
                }
            }
            ClaimResult result = records.claim(c, request);
            order.observe(result instanceof ClaimResult.Existing);
            return result;
        });
    }

    @Override
    public Optional<StoredRecord> find(RecordId id, Instant now) {
        return call("find", id, c -> records.find(c, id, now));
    }

    @Override
    public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
        return committed(call("complete", id, c -> records.complete(c, id, token, result)));
    }

    @Override
    public boolean fail(RecordId id, OwnerToken token, StoredError error) {
        return committed(call("fail", id, c -> records.fail(c, id, token, error)));
    }

    @Override
    public boolean release(RecordId id, OwnerToken token) {
        boolean released = call("release", id, c -> records.release(c, id, token));
        if (released) {
            waiter.signal(id); // this instance's own waiters look again at once; others hear the NOTIFY
        }
        return released;
    }

    /**
     * Hands a record finished and committed by this instance to this instance's own waiters at once (a NOTIFY
     * reaches other instances a little later); false when nothing was written.
     */
    boolean committed(StoredRecord finished) {
        if (finished == null) {
            return false;
        }
        waiter.signal(finished.id(), registered -> finished);
        return true;
    }

    @Override
    public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
        return call("renew the lease of", id, c -> records.renewLease(c, id, token, leaseUntil));
    }

    @Override
    public Optional<Inspected> inspect(RecordId id) {
        return call("inspect", id, c -> records.inspect(c, id));
    }

    @Override
    public List<Inspected> stuck(Instant now, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return call("list the stuck records of", null, c -> records.stuck(c, now, limit));
    }

    @Override
    public Map<RecordStatus, Long> countByStatus() {
        return call("count the records of", null, records::countByStatus);
    }

    @Override
    public boolean delete(RecordId id) {
        return call("delete", id, c -> records.delete(c, id));
    }

    @Override
    public int pruneExpiredBefore(Instant cutoff, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return call("prune", null, c -> records.pruneExpiredBefore(c, cutoff, limit));
    }

    /**
     * With notifications on, registering flags the record as waited for (one fenced {@code UPDATE}), so that its
     * owner NOTIFYs when it finishes; if the record already finished, the handle is woken at once.
     */
    @Override
    public Waiter waiter() {
        if (listener == null) {
            return Waiter.polling();
        }
        return waiter.flagging(id -> call("flag a waiter on", id, c -> records.flagWaiter(c, id)));
    }

    /**
     * A view of this store that runs every statement on {@code connection} inside the caller's open transaction
     * and never commits: see {@link TransactionalIdempotency}.
     */
    TransactionBoundStore boundTo(Connection connection, long lockTimeoutMillis, BooleanSupplier commitWithCompletion) {
        return new TransactionBoundStore(this, records, connection, lockTimeoutMillis, commitWithCompletion);
    }

    /** The data source this store takes its connections from (transactional mode needs the application's own). */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The table this store writes. */
    public String table() {
        return records.table().sql();
    }

    /** Stops the LISTEN connection; the store must not be used afterwards. */
    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
    }

    @FunctionalInterface
    interface SqlCall<R> {
        R apply(Connection connection) throws SQLException;
    }

    private <R> R call(String operation, RecordId id, SqlCall<R> work) {
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return work.apply(c);
        } catch (SQLException e) {
            throw failure(operation, id, e);
        }
    }

    static IdempotencyStoreException failure(String operation, RecordId id, SQLException e) {
        return new IdempotencyStoreException("PostgreSQL failed to " + operation + (id == null ? "" : " " + id)
                + " (SQLState " + e.getSQLState() + "): " + e.getMessage(), e);
    }

    /** Collects the store's settings; not thread-safe. */
    public static final class Builder {
        private final DataSource dataSource;
        private String table = TableName.DEFAULT;
        private boolean notifications = true;
        private ClaimOrder order = ClaimOrder.learning();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * The table (default {@code idempotency_keys}); lower-case letters, digits and underscores, optionally
         * {@code schema.table}.
         */
        public Builder table(String table) {
            TableName.of(table);
            this.table = table;
            return this;
        }

        /**
         * Whether finished records NOTIFY waiting duplicates (default true). Off, waiters poll at the engine's
         * poll interval and no connection is held for LISTEN.
         */
        public Builder notifications(boolean notifications) {
            this.notifications = notifications;
            return this;
        }

        /** The claim order (tests force reading first; the default learns it). */
        Builder claimOrder(ClaimOrder order) {
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        /**
         * @throws IllegalArgumentException  for an invalid table name
         * @throws IdempotencyStoreException if notifications are on and no LISTEN connection can be opened
         */
        public PostgresIdempotencyStore build() {
            return new PostgresIdempotencyStore(this);
        }
    }
}
