package dev.idem.example.practice.application;

import dev.idem.example.practice.domain.DomainException;
import dev.idem.example.practice.domain.Practice.CheckoutSession;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Checkout: at most one open checkout per user, enforced by the database (BUG-047, DEBT-078). */
@Service
public class BillingUseCases {

    private static final Set<String> PLANS = Set.of("monthly", "yearly");

    private final Ports.Checkouts checkouts;
    private final PaymentGateway gateway;

    public BillingUseCases(Ports.Checkouts checkouts, PaymentGateway gateway) {
        this.checkouts = checkouts;
        this.gateway = gateway;
    }

    /**
     * Claims the user's open-checkout slot first (a partial unique index decides between concurrent requests with
     * different keys), then asks the gateway with {@code gatewayKey}, stable across retries of this request.
     */
    public CheckoutSession checkout(String userId, String plan, String gatewayKey) {
        if (plan == null || !PLANS.contains(plan)) {
            throw new DomainException.Invalid("plan must be one of " + PLANS);
        }
        UUID id = UUID.randomUUID();
        if (!checkouts.claimOpen(id, userId, plan)) {
            throw new DomainException.Conflict("user " + userId + " already has an open checkout session");
        }
        try {
            CheckoutSession session = gateway.createCheckoutSession(userId, plan, gatewayKey);
            checkouts.attachGatewaySession(id, session);
            return session;
        } catch (RuntimeException e) {
            checkouts.release(id);
            throw e;
        }
    }
}
