package dev.idem.example.practice.application;

import dev.idem.example.practice.domain.Practice.CheckoutSession;

/** The payment provider. Implementations honour {@code idempotencyKey}: the same key yields the same session. */
public interface PaymentGateway {

    CheckoutSession createCheckoutSession(String userId, String plan, String idempotencyKey);
}
