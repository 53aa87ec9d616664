package dev.idem.redis;

import dev.idem.spi.SignalingWaiter;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one pub/sub connection SUBSCRIBEd to the store's channel and turns each message (a record id's
 * digest, and the finished record when it carries one: {@link WakeUpMessage}) into a wake-up of the matching
 * waiters in this JVM. Lettuce reconnects a dropped connection and
 * re-subscribes by itself; messages published meanwhile are lost, so on every reconnect, and again when the
 * re-subscription is confirmed, it wakes every waiter (they re-read the store, so nothing is missed).
 * Thread-safe.
 */
final class EventSubscriber extends RedisPubSubAdapter<String, byte[]>
        implements RedisConnectionStateListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventSubscriber.class);

    private final StatefulRedisPubSubConnection<String, byte[]> connection;
    private final String channel;
    private final SignalingWaiter waiter;
    private final AtomicBoolean initialConfirmation = new AtomicBoolean(true);
    private volatile boolean closing;

    private EventSubscriber(StatefulRedisPubSubConnection<String, byte[]> connection, String channel,
                            SignalingWaiter waiter) {
        this.connection = connection;
        this.channel = channel;
        this.waiter = waiter;
    }

    /**
     * Subscribes {@code connection} (which it then owns) to {@code channel}; returns once the subscription is
     * in effect, so no message published after this returns is missed.
     *
     * @throws io.lettuce.core.RedisException if the subscription fails; the connection is closed then
     */
    static EventSubscriber start(StatefulRedisPubSubConnection<String, byte[]> connection, String channel,
                                 SignalingWaiter waiter, Duration timeout) {
        EventSubscriber subscriber = new EventSubscriber(connection, channel, waiter);
        try {
            connection.setTimeout(timeout);
            connection.addListener((RedisPubSubListener<String, byte[]>) subscriber);
            connection.sync().subscribe(channel);
            // only now, so the initial connect is never mistaken for a reconnect
            connection.addListener((RedisConnectionStateListener) subscriber);
            return subscriber;
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public void message(String channel, byte[] message) {
        if (this.channel.equals(channel)) {
            WakeUpMessage wakeUp = WakeUpMessage.parse(message);
            waiter.signal(wakeUp.digest(), wakeUp.finished());
        }
    }

    @Override
    public void subscribed(String channel, long count) {
        // The first confirmation is the initial SUBSCRIBE (Lettuce may deliver it after start() returned, when
        // waiters may already be registered): nothing was missed then. Every later one is a re-subscription after
        // a reconnect, and whatever was published while we were away is lost.
        if (this.channel.equals(channel) && !initialConfirmation.compareAndSet(true, false)) {
            waiter.signalAll();
        }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        log.debug("The pub/sub connection on {} is (re)connected to {}; waking every waiter", channel, address);
        waiter.signalAll();
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (!closing) {
            log.warn("Lost the pub/sub connection on {}; waiters fall back to polling until Lettuce reconnects",
                    channel);
        }
    }

    @Override
    public void close() {
        closing = true;
        connection.close();
    }
}
