package dev.idem.example.practice.adapters.web;

import dev.idem.IdempotencyContext;
import dev.idem.example.practice.application.BillingUseCases;
import dev.idem.example.practice.domain.Practice.CheckoutSession;
import java.security.Principal;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/billing")
public class BillingController {

    public record CheckoutRequest(String plan) {
    }

    private final BillingUseCases billing;

    public BillingController(BillingUseCases billing) {
        this.billing = billing;
    }

    /** {@code {"status":"active","plan":"monthly"}} or {@code {"status":"none"}}: what the billing page shows. */
    @GetMapping("/subscription")
    public Map<String, String> subscription(Principal user) {
        return billing.subscription(user.getName()).map(plan -> Map.of("status", "active", "plan", plan))
                .orElse(Map.of("status", "none"));
    }

    /**
     * Runs inside Idem's protected action; the gateway gets a key derived from the client's, stable across retries.
     * 201 with a new checkout, or 200 with the user's open one (resumed).
     */
    @PostMapping(path = "/checkout-sessions", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<CheckoutSession> checkout(Principal user, @RequestBody CheckoutRequest request) {
        String gatewayKey = IdempotencyContext.current().derivedKey("stripe.checkout");
        BillingUseCases.CheckoutResult result = billing.checkout(user.getName(), request.plan(), gatewayKey);
        return ResponseEntity.status(result.resumed() ? 200 : 201).body(result.session());
    }
}
