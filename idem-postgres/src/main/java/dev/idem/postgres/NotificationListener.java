package dev.idem.postgres;

import dev.idem.IdempotencyStoreException;
import dev.idem.spi.SignalingWaiter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the table's channel and turns each notification (a record id's
 * digest, and the finished record when it carries one: {@link WakeUpMessage}) into a wake-up of the
 * matching waiters in this JVM. When the connection breaks it wakes every
 * waiter (they re-read the store, so nothing is missed) and reconnects with back-off. Thread-safe.
 */
final class NotificationListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);
    private static final int RECEIVE_TIMEOUT_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final DataSource dataSource;
    private final String channel;
    private final SignalingWaiter waiter;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;

    private NotificationListener(DataSource dataSource, String channel, SignalingWaiter waiter) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.waiter = waiter;
        this.thread = new Thread(this::run, "idem-pg-listen-" + channel);
        this.thread.setDaemon(true);
    }

    /**
     * Starts listening; returns once LISTEN is in effect, so no notification sent after this returns is missed.
     *
     * @throws IdempotencyStoreException if the first connection cannot be made
     */
    static NotificationListener start(DataSource dataSource, String channel, SignalingWaiter waiter) {
        NotificationListener listener = new NotificationListener(dataSource, channel, waiter);
        try {
            listener.connection = listener.connect();
        } catch (SQLException e) {
            throw new IdempotencyStoreException("could not LISTEN on channel " + channel + ": " + e.getMessage(), e);
        }
        listener.thread.start();
        return listener;
    }

    private Connection connect() throws SQLException {
        Connection c = dataSource.getConnection();
        try (Statement s = c.createStatement()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            s.execute("LISTEN \"" + channel + "\"");
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private void run() {
        long backoff = 100;
        while (running) {
            try {
                if (connection == null) {
                    connection = connect();
                    backoff = 100;
                    waiter.signalAll(); // notifications may have been lost while disconnected
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                PGNotification[] notifications = pg.getNotifications(RECEIVE_TIMEOUT_MILLIS);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        WakeUpMessage payload = WakeUpMessage.parse(n.getParameter());
                        waiter.signal(payload.digest(), payload.finished());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                log.warn("Lost the LISTEN connection on {}; waiters fall back to polling until it is back", channel, e);
                closeQuietly();
                waiter.signalAll();
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
        closeQuietly();
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis); // reconnection back-off, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void closeQuietly() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("Closing the LISTEN connection failed", e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly();
    }
}
