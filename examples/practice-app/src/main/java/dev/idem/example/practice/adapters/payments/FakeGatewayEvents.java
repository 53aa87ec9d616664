package dev.idem.example.practice.adapters.payments;

import com.stripe.net.Webhook;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fake gateway's webhooks: events in Stripe's format ({@code checkout.session.completed} or {@code .expired}),
 * signed as Stripe signs them ({@code Stripe-Signature: t=...,v1=HMAC-SHA256}) with the webhook secret, and
 * delivered over HTTP to the app's own webhook route. Every event is kept, so it can be delivered again, as Stripe
 * redelivers (with a fresh timestamp). Thread-safe.
 */
public class FakeGatewayEvents {

    /** An event and how its last delivery went. */
    public record Delivery(String eventId, String type, int status, String response) {
    }

    private final String secret;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> payloads = new ConcurrentHashMap<>();

    public FakeGatewayEvents(String secret) {
        this.secret = secret;
    }

    /** Makes a new event about checkout session {@code checkoutSessionId} and delivers it to {@code webhook}. */
    public Delivery send(URI webhook, String type, String checkoutSessionId) throws IOException, InterruptedException {
        String id = "evt_fake_" + UUID.randomUUID().toString().replace("-", "");
        String payload = "{\"id\":\"" + id + "\",\"object\":\"event\",\"type\":\"" + type + "\",\"created\":"
                + Instant.now().getEpochSecond() + ",\"data\":{\"object\":{\"id\":\"" + checkoutSessionId
                + "\",\"object\":\"checkout.session\",\"payment_status\":\""
                + (type.endsWith("completed") ? "paid" : "unpaid") + "\"}}}";
        payloads.put(id, payload);
        return deliver(webhook, id);
    }

    /** Delivers a known event again; empty when there is none with that id. */
    public Optional<Delivery> redeliver(URI webhook, String eventId) throws IOException, InterruptedException {
        return payloads.containsKey(eventId) ? Optional.of(deliver(webhook, eventId)) : Optional.empty();
    }

    /** The {@code Stripe-Signature} header for {@code payload}, signed now. */
    public String sign(String payload, long timestamp) {
        try {
            return "t=" + timestamp + ",v1=" + Webhook.Util.computeHmacSha256(secret, timestamp + "." + payload);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("cannot sign a webhook event", e);
        }
    }

    private Delivery deliver(URI webhook, String eventId) throws IOException, InterruptedException {
        String payload = payloads.get(eventId);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", sign(payload, Instant.now().getEpochSecond()))
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        String type = payload.replaceAll("(?s).*\"type\":\"([^\"]+)\".*", "$1");
        return new Delivery(eventId, type, response.statusCode(), response.body());
    }
}
