package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The docs' note on message listeners: {@code @Idempotent} on a listener method (as on a {@code @RabbitListener} or
 * {@code @KafkaListener} one) with the message id as key makes at-least-once delivery take effect once. A broker's
 * redelivery, and the same message delivered to several consumers at once, run the handler once and return its
 * result to every delivery. In-memory store; the broker is simulated by calling the listener as it would.
 */
class IdempotentConsumerTest {

    /** A message as a broker hands it over: its id is stable across redeliveries. */
    public record Message(String messageId, String orderId) {
    }

    /** The listener; in an application, {@code @RabbitListener(queues = "orders")} would sit beside the annotation. */
    public static class OrderShippedListener {
        private final AtomicInteger shipped = new AtomicInteger();

        /** How many times the side effect ran (a method: the bean is a class proxy, whose fields are not its own). */
        public int shipped() {
            return shipped.get();
        }

        @Idempotent(action = "orders.shipped", key = "#message.messageId()", scope = "'orders-queue'")
        public String onMessage(Message message) {
            shipped.incrementAndGet(); // the side effect: a shipment email, a ledger row
            return "shipped " + message.orderId();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ListenerConfiguration {
        @Bean
        OrderShippedListener orderShippedListener() {
            return new OrderShippedListener();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(StarterAutoConfigurations.ALL).withUserConfiguration(ListenerConfiguration.class)
            .withPropertyValues("idem.store=memory");

    @Test
    void aRedeliveredMessageTakesEffectOnce() {
        runner.run(context -> {
            OrderShippedListener listener = context.getBean(OrderShippedListener.class);
            Message message = new Message("msg-1", "order-7");
            for (int delivery = 0; delivery < 3; delivery++) {
                assertThat(listener.onMessage(message)).isEqualTo("shipped order-7");
            }
            assertThat(listener.shipped()).isEqualTo(1);
            assertThat(listener.onMessage(new Message("msg-2", "order-8"))).isEqualTo("shipped order-8");
            assertThat(listener.shipped()).as("another message is another effect").isEqualTo(2);
        });
    }

    @Test
    void oneMessageDeliveredToEightConsumersAtOnceTakesEffectOnce() {
        runner.run(context -> {
            OrderShippedListener listener = context.getBean(OrderShippedListener.class);
            Message message = new Message("msg-concurrent", "order-9");
            ExecutorService consumers = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    results.add(consumers.submit(() -> {
                        start.await();
                        return listener.onMessage(message);
                    }));
                }
                start.countDown();
                for (Future<String> result : results) {
                    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("shipped order-9");
                }
            } finally {
                consumers.shutdownNow();
            }
            assertThat(listener.shipped()).isEqualTo(1);
        });
    }
}
