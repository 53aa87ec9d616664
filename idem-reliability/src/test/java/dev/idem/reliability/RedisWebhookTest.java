package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reference app's Stripe webhook on the Redis store, where it runs two-phase (no transactional mode there): a
 * paid checkout's event, sent by the fake gateway and then redelivered 5 times at once, takes effect once. One
 * delivery ran the handler, every other one was answered from the record in Redis, and carol's subscription was
 * activated once.
 */
class RedisWebhookTest {

    private static final int REDELIVERIES = 5;
    private static final Pattern EVENT_ID = Pattern.compile("\"eventId\":\"([^\"]+)\"");
    private static final Pattern SESSION_ID = Pattern.compile("\"checkoutSessionId\":\"([^\"]+)\"");

    private final Cluster cluster = Cluster.onRedis();

    @Test
    void aStripeEventDeliveredSixTimesTakesEffectOnceOnTheRedisStore() throws Exception {
        AppInstance app = cluster.instance(0);
        Http.Reply checkout = Http.post(app.uri("/api/billing/checkout-sessions"), "demo-carol",
                "checkout-" + UUID.randomUUID(), "{\"plan\":\"monthly\"}");
        assertThat(checkout.status()).as(checkout.body()).isEqualTo(201);
        String session = group(SESSION_ID, checkout.body());

        Http.Reply paid = Http.post(app.uri("/demo/fake-gateway/checkout-sessions/" + session + "/pay"), null, null,
                "");
        assertThat(paid.status()).as(paid.body()).isEqualTo(200);
        assertThat(paid.body()).contains("\"status\":200").contains("subscription-active")
                .contains("\\\"replayed\\\":false");
        String eventId = group(EVENT_ID, paid.body());
        String activated = cluster.db.string("SELECT activated_at::text FROM subscriptions WHERE user_id = 'carol'");
        assertThat(activated).as("carol's subscription after the first delivery").isNotNull();

        List<CompletableFuture<Http.Reply>> again = new ArrayList<>();
        for (int i = 0; i < REDELIVERIES; i++) {
            again.add(Http.postAsync(app.uri("/demo/fake-gateway/events/" + eventId + "/redeliver"), null, null, ""));
        }
        for (CompletableFuture<Http.Reply> redelivery : again) {
            Http.Reply reply = redelivery.get(30, TimeUnit.SECONDS);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(reply.body()).as("a redelivery is answered from the record")
                    .contains("\"status\":200").contains("\\\"replayed\\\":true");
        }
        assertThat(cluster.db.string("SELECT activated_at::text FROM subscriptions WHERE user_id = 'carol'"))
                .as("the subscription was activated once").isEqualTo(activated);
        assertThat(cluster.recordHolds("stripe", eventId, "subscription-active"))
                .as("the event's record in Redis").isTrue();
        Report.row(cluster.fault("Stripe event redelivered (two-phase webhook)"), REDELIVERIES,
                "1 handler run for 6 deliveries; the subscription activated once", 0,
                "every redelivery answered 200 from the record, marked replayed");
    }

    private static String group(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return m.group(1);
    }
}
