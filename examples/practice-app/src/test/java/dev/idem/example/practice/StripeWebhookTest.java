package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.example.practice.adapters.payments.FakeGatewayEvents;
import dev.idem.example.practice.application.BillingUseCases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Billing that completes: Stripe's webhooks (signed, verified with stripe-java), each event taking effect once
 * through Idem in transactional mode however often and in whatever order it arrives; the fake gateway's pay
 * endpoint sending the same signed events; checkouts that resume and expire.
 */
class StripeWebhookTest extends PracticeAppTestBase {

    private static final String CHECKOUT = "/api/billing/checkout-sessions";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Autowired
    FakeGatewayEvents gateway;
    @Autowired
    BillingUseCases billing;

    @BeforeEach
    @AfterEach
    void noSubscriptionsNorOpenCheckouts() {
        jdbc.sql("DELETE FROM subscriptions").update();
        jdbc.sql("UPDATE users SET entitled = false WHERE id = 'carol'").update();
        for (String user : List.of("alice", "bob", "carol")) {
            closeOpenCheckouts(user);
        }
    }

    private String openCheckout(String token) {
        Reply reply = post(CHECKOUT, token, newKey("checkout"), "{\"plan\":\"monthly\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return field(reply.body(), "checkoutSessionId");
    }

    private static String event(String id, String type, String checkoutSession) {
        return "{\"id\":\"" + id + "\",\"object\":\"event\",\"type\":\"" + type + "\",\"data\":{\"object\":{\"id\":\""
                + checkoutSession + "\",\"object\":\"checkout.session\"}}}";
    }

    private HttpResponse<String> deliver(String payload, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/api/billing/webhooks")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload));
        if (signature != null) {
            request.header("Stripe-Signature", signature);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> deliver(String payload) throws Exception {
        return deliver(payload, gateway.sign(payload, Instant.now().getEpochSecond()));
    }

    private String status(String checkoutSession) {
        return jdbc.sql("SELECT status FROM checkout_sessions WHERE gateway_session_id = ?").param(checkoutSession)
                .query(String.class).single();
    }

    private boolean entitled(String user) {
        return jdbc.sql("SELECT entitled FROM users WHERE id = ?").param(user).query(Boolean.class).single();
    }

    @Test
    void aMissingBadOrStaleSignatureIs400AndChangesNothing() throws Exception {
        String session = openCheckout(CAROL);
        String payload = event("evt_" + UUID.randomUUID(), "checkout.session.completed", session);
        long now = Instant.now().getEpochSecond();
        FakeGatewayEvents otherSecret = new FakeGatewayEvents("whsec_someone_else");

        List<HttpResponse<String>> refused = List.of(deliver(payload, null), deliver(payload, "t=1,v1=abc"),
                deliver(payload, otherSecret.sign(payload, now)), deliver(payload, gateway.sign(payload, now - 600)),
                deliver(payload.replace("completed", "expired"), gateway.sign(payload, now)));

        assertThat(refused).allSatisfy(r -> {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(r.body()).contains("invalid-event").doesNotContain("Exception");
        });
        assertThat(status(session)).isEqualTo("open");
        assertThat(entitled("carol")).isFalse();
        assertThat(count("SELECT count(*) FROM subscriptions")).isZero();
    }

    @Test
    void aCheckoutPaidThroughTheFakeGatewayActivatesTheSubscriptionAndARedeliveryChangesNothing() throws Exception {
        String session = openCheckout(CAROL);
        assertThat(entitled("carol")).isFalse();

        Reply paid = post("/demo/fake-gateway/checkout-sessions/" + session + "/pay", null, null, "");
        assertThat(paid.status()).as(paid.body()).isEqualTo(200);
        assertThat(paid.body()).contains("\"status\":200").contains("subscription-active")
                .contains("\\\"replayed\\\":false");
        assertThat(status(session)).isEqualTo("completed");
        assertThat(entitled("carol")).as("an unentitled user became entitled").isTrue();
        String activated = jdbc.sql("SELECT activated_at::text FROM subscriptions WHERE user_id = 'carol'"
                + " AND status = 'active'").query(String.class).single();

        String eventId = field(paid.body(), "eventId");
        Reply again = post("/demo/fake-gateway/events/" + eventId + "/redeliver", null, null, "");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).contains("\"status\":200").contains("\\\"replayed\\\":true");
        assertThat(jdbc.sql("SELECT activated_at::text FROM subscriptions WHERE user_id = 'carol'")
                .query(String.class).single()).as("no second effect").isEqualTo(activated);

        Reply subscribed = post(CHECKOUT, CAROL, newKey("checkout"), "{\"plan\":\"yearly\"}");
        assertThat(subscribed.status()).isEqualTo(409);
        assertThat(subscribed.body()).contains("already-subscribed");
    }

    @Test
    void tenConcurrentDeliveriesOfOneEventTakeEffectOnce() throws Exception {
        String session = openCheckout(BOB);
        String payload = event("evt_" + UUID.randomUUID(), "checkout.session.completed", session);
        List<Reply> replies = concurrently(10, () -> {
            for (int attempt = 0; ; attempt++) { // as Stripe does, deliver again after a 409 "in progress"
                HttpResponse<String> r = deliver(payload);
                if (r.statusCode() != 409 || attempt == 20) {
                    return new Reply(r.statusCode(), null, null, null, r.body());
                }
                Thread.sleep(200); // Stripe's own retry delay, not synchronisation
            }
        });
        assertThat(replies).extracting(Reply::status).containsOnly(200);
        assertThat(replies.stream().filter(r -> r.body().contains("\"replayed\":false"))).hasSize(1);
        assertThat(replies).extracting(r -> field(r.body(), "result")).containsOnly("subscription-active");
        assertThat(count("SELECT count(*) FROM subscriptions WHERE user_id = 'bob'")).isEqualTo(1);
        assertThat(status(session)).isEqualTo("completed");
    }

    @Test
    void completedAndExpiredConvergeInEitherOrder() throws Exception {
        String first = openCheckout(ALICE);
        deliver(event("evt_" + UUID.randomUUID(), "checkout.session.expired", first));
        deliver(event("evt_" + UUID.randomUUID(), "checkout.session.completed", first));

        String second = openCheckout(BOB);
        deliver(event("evt_" + UUID.randomUUID(), "checkout.session.completed", second));
        HttpResponse<String> late = deliver(event("evt_" + UUID.randomUUID(), "checkout.session.expired", second));
        assertThat(late.statusCode()).isEqualTo(200);
        assertThat(late.body()).contains("already-completed");

        for (String session : List.of(first, second)) {
            assertThat(status(session)).as("a paid checkout stays paid").isEqualTo("completed");
        }
        assertThat(count("SELECT count(*) FROM subscriptions WHERE status = 'active'")).isEqualTo(2);
    }

    @Test
    void anExpiredEventClosesTheCheckoutAndUnknownEventsAreAcknowledged() throws Exception {
        String session = openCheckout(ALICE);
        HttpResponse<String> expired = deliver(event("evt_" + UUID.randomUUID(), "checkout.session.expired",
                session));
        assertThat(expired.body()).contains("checkout-expired");
        assertThat(status(session)).isEqualTo("expired");
        assertThat(count("SELECT count(*) FROM subscriptions")).isZero();

        HttpResponse<String> other = deliver(event("evt_" + UUID.randomUUID(), "invoice.paid", "in_1"));
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.body()).contains("\"result\":\"ignored\"");
    }

    @Test
    void aNewCheckoutRequestResumesTheOpenOne() {
        Reply created = post(CHECKOUT, ALICE, newKey("checkout"), "{\"plan\":\"monthly\"}");
        Reply resumed = post(CHECKOUT, ALICE, newKey("checkout"), "{\"plan\":\"monthly\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(resumed.status()).as("a user who closed the tab gets the open checkout back").isEqualTo(200);
        assertThat(resumed.body()).isEqualTo(created.body());
        assertThat(count("SELECT count(*) FROM checkout_sessions WHERE user_id = 'alice' AND status = 'open'"))
                .isEqualTo(1);
    }

    @Test
    void anOpenCheckoutExpiresByItself() {
        String session = field(post(CHECKOUT, ALICE, newKey("checkout"), "{\"plan\":\"monthly\"}").body(),
                "checkoutSessionId");
        jdbc.sql("UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE gateway_session_id = ?")
                .param(session).update();

        assertThat(billing.expireOverdueCheckouts()).as("the sweep that runs every minute").isEqualTo(1);
        assertThat(status(session)).isEqualTo("expired");

        String later = field(post(CHECKOUT, ALICE, newKey("checkout"), "{\"plan\":\"monthly\"}").body(),
                "checkoutSessionId");
        assertThat(later).isNotEqualTo(session);
        jdbc.sql("UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE gateway_session_id = ?")
                .param(later).update();
        Reply fresh = post(CHECKOUT, ALICE, newKey("checkout"), "{\"plan\":\"monthly\"}");
        assertThat(fresh.status()).as("an overdue checkout closes when its user starts a new one").isEqualTo(201);
        assertThat(status(later)).isEqualTo("expired");
        assertThat(new ArrayList<>(List.of(session, later))).doesNotContain(field(fresh.body(), "checkoutSessionId"));
    }

    @Test
    void aDefaultCheckoutExpiresInADay() {
        post(CHECKOUT, BOB, newKey("checkout"), "{\"plan\":\"monthly\"}");
        assertThat(count("SELECT count(*) FROM checkout_sessions WHERE user_id = 'bob' AND status = 'open'"
                + " AND expires_at BETWEEN now() + interval '23 hours 59 minutes' AND now() + interval '24 hours'"))
                .isEqualTo(1);
    }
}
