package dev.idem.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.testing.RedisTestServer;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The push channels' own delivery latency, without Idem: how long after a notifying call returned one listener
 * has the message (PostgreSQL: {@code SELECT pg_notify} in autocommit to a pgjdbc connection blocked in
 * {@code getNotifications}; Redis: {@code PUBLISH} to a Lettuce subscriber). It is the floor of a duplicate's
 * wake-up on another instance. Not thread-safe; one measurement at a time.
 */
final class PushChannelFloor {

    private static final int WARM_UP = 200;
    private static final int SAMPLES = 800;

    private PushChannelFloor() {
    }

    /** Sorted delays in nanoseconds, one per notification. */
    static List<Long> postgres(HikariDataSource pool) throws Exception {
        String channel = "idem_floor_" + Long.toHexString(System.nanoTime());
        BlockingQueue<Long> received = new LinkedBlockingQueue<>();
        try (Connection listening = pool.getConnection(); Connection notifying = pool.getConnection()) {
            listening.setAutoCommit(true);
            notifying.setAutoCommit(true);
            try (Statement s = listening.createStatement()) {
                s.execute("LISTEN " + channel);
            }
            PGConnection pg = listening.unwrap(PGConnection.class);
            Thread receiver = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        PGNotification[] notifications = pg.getNotifications(100);
                        long now = System.nanoTime();
                        if (notifications != null) {
                            for (int i = 0; i < notifications.length; i++) {
                                received.add(now);
                            }
                        }
                    }
                } catch (SQLException e) {
                    received.add(-1L);
                }
            }, "idem-floor-listen");
            receiver.start();
            try (PreparedStatement notify = notifying.prepareStatement("SELECT pg_notify('" + channel + "', 'x')")) {
                return measure(() -> notify.execute(), received);
            } finally {
                receiver.interrupt();
                receiver.join(5_000);
                try (Statement s = listening.createStatement()) {
                    s.execute("UNLISTEN *");
                }
            }
        }
    }

    /** Sorted delays in nanoseconds, one per message. */
    static List<Long> redis() throws Exception {
        String channel = RedisTestServer.uniquePrefix() + "floor";
        BlockingQueue<Long> received = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> subscriber = RedisTestServer.client().connectPubSub()) {
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String on, String message) {
                    received.add(System.nanoTime());
                }
            });
            subscriber.sync().subscribe(channel);
            return measure(() -> RedisTestServer.commands().publish(channel, "x"), received);
        }
    }

    private interface Send {
        void send() throws Exception;
    }

    private static List<Long> measure(Send send, BlockingQueue<Long> received) throws Exception {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < WARM_UP + SAMPLES; i++) {
            send.send();
            long returned = System.nanoTime();
            Long at = received.poll(5, TimeUnit.SECONDS);
            if (at == null || at < 0) {
                throw new IllegalStateException("the push channel stopped delivering after " + i + " messages");
            }
            if (i >= WARM_UP) {
                delays.add(Math.max(0, at - returned));
            }
            TimeUnit.MILLISECONDS.sleep(2); // pacing between messages, not synchronisation
        }
        delays.sort(null);
        return delays;
    }
}
