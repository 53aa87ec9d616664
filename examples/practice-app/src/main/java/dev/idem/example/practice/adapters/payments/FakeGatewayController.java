package dev.idem.example.practice.adapters.payments;

import java.io.IOException;
import java.net.URI;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.Environment;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The fake gateway's demo endpoints (only with {@code practice.payments=fake}, the default), standing in for
 * Stripe's hosted checkout page and its dashboard: pay or expire a checkout session, which sends the signed event to
 * the app's own webhook, and deliver an event again. Outside {@code /api}: no bearer token, no idempotency key.
 */
@RestController
@ConditionalOnProperty(name = "practice.payments", havingValue = "fake", matchIfMissing = true)
public class FakeGatewayController {

    private final FakeGatewayEvents events;
    private final Environment environment;

    public FakeGatewayController(FakeGatewayEvents events, Environment environment) {
        this.events = events;
        this.environment = environment;
    }

    @PostMapping("/demo/fake-gateway/checkout-sessions/{id}/pay")
    public FakeGatewayEvents.Delivery pay(@PathVariable("id") String checkoutSessionId)
            throws IOException, InterruptedException {
        return events.send(webhook(), "checkout.session.completed", checkoutSessionId);
    }

    @PostMapping("/demo/fake-gateway/checkout-sessions/{id}/expire")
    public FakeGatewayEvents.Delivery expire(@PathVariable("id") String checkoutSessionId)
            throws IOException, InterruptedException {
        return events.send(webhook(), "checkout.session.expired", checkoutSessionId);
    }

    @PostMapping("/demo/fake-gateway/events/{id}/redeliver")
    public ResponseEntity<FakeGatewayEvents.Delivery> redeliver(@PathVariable("id") String eventId)
            throws IOException, InterruptedException {
        return ResponseEntity.of(events.redeliver(webhook(), eventId));
    }

    private URI webhook() {
        return URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port", "8080")
                + "/api/billing/webhooks");
    }
}
