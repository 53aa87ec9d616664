package dev.idem.example.practice.adapters.payments;

import dev.idem.example.practice.application.PaymentGateway;
import dev.idem.example.practice.domain.Practice.CheckoutSession;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** An in-memory gateway that honours idempotency keys like Stripe: the same key returns the same session. */
public class FakePaymentGateway implements PaymentGateway {

    private final Map<String, CheckoutSession> byKey = new ConcurrentHashMap<>();

    @Override
    public CheckoutSession createCheckoutSession(String userId, String plan, String idempotencyKey) {
        return byKey.computeIfAbsent(idempotencyKey, key -> {
            String id = "cs_fake_" + UUID.randomUUID().toString().replace("-", "");
            return new CheckoutSession(id, "https://checkout.fake.invalid/pay/" + id);
        });
    }

    /** How many distinct sessions were created (for tests). */
    public int sessionsCreated() {
        return byKey.size();
    }
}
