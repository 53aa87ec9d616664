package dev.idem.example.practice.application;

import dev.idem.example.practice.domain.DomainException;
import dev.idem.example.practice.domain.Practice.CheckoutSession;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Billing: at most one open checkout per user, enforced by the database (BUG-047, DEBT-078), which expires by itself;
 * a paid checkout (the gateway's {@code checkout.session.completed} event) makes an active subscription and an
 * entitled user. Event handlers are idempotent in effect and commute: {@code completed} wins over {@code expired}
 * whichever arrives first (a paid checkout stays paid), so redelivered and reordered events converge.
 */
@Service
public class BillingUseCases {

    private static final Logger log = LoggerFactory.getLogger(BillingUseCases.class);
    private static final Set<String> PLANS = Set.of("monthly", "yearly");

    /** A checkout request's answer: the new checkout, or the user's open one, resumed. */
    public record CheckoutResult(CheckoutSession session, boolean resumed) {
    }

    private final Ports.Checkouts checkouts;
    private final Ports.Subscriptions subscriptions;
    private final Ports.Users users;
    private final PaymentGateway gateway;
    private final Duration expiry;

    public BillingUseCases(Ports.Checkouts checkouts, Ports.Subscriptions subscriptions, Ports.Users users,
                           PaymentGateway gateway, @Value("${practice.checkout.expiry:24h}") Duration expiry) {
        if (expiry.isNegative() || expiry.isZero()) {
            throw new IllegalArgumentException("practice.checkout.expiry must be positive, not " + expiry);
        }
        this.checkouts = checkouts;
        this.subscriptions = subscriptions;
        this.users = users;
        this.gateway = gateway;
        this.expiry = expiry;
    }

    /**
     * A checkout for {@code plan}: the user's open one if there is one (a user who closed the tab resumes it), else a
     * new one. Claims the open-checkout slot first (a partial unique index decides between concurrent requests with
     * different keys), then asks the gateway with {@code gatewayKey}, stable across retries of this request.
     *
     * @throws DomainException.Conflict {@code already-subscribed}, or {@code checkout-in-progress} while a
     *                                   concurrent request is still creating the open checkout
     */
    public CheckoutResult checkout(String userId, String plan, String gatewayKey) {
        if (plan == null || !PLANS.contains(plan)) {
            throw new DomainException.Invalid("plan must be one of " + PLANS);
        }
        if (subscriptions.isActive(userId)) {
            throw new DomainException.Conflict("already-subscribed", "user " + userId
                    + " already has an active subscription");
        }
        checkouts.expireOverdue(userId);
        UUID id = UUID.randomUUID();
        if (!checkouts.claimOpen(id, userId, plan, expiry)) {
            return checkouts.findOpen(userId).map(open -> new CheckoutResult(open, true))
                    .orElseThrow(() -> new DomainException.Conflict("checkout-in-progress", "user " + userId
                            + " already has an open checkout session, still being created; retry in a moment"));
        }
        try {
            CheckoutSession session = gateway.createCheckoutSession(userId, plan, gatewayKey);
            checkouts.attachGatewaySession(id, session);
            return new CheckoutResult(session, false);
        } catch (RuntimeException e) {
            checkouts.release(id);
            throw e;
        }
    }

    /** The gateway says the checkout was paid: the subscription becomes active and the user entitled. */
    public String checkoutCompleted(String gatewaySessionId) {
        Optional<Ports.Checkout> found = checkouts.findByGatewaySession(gatewaySessionId);
        if (found.isEmpty()) {
            log.warn("checkout.session.completed for an unknown checkout session {}: acknowledged, ignored",
                    gatewaySessionId);
            return "unknown-checkout";
        }
        Ports.Checkout checkout = found.get();
        if (!checkout.status().equals("completed")) {
            checkouts.close(checkout.id(), "completed");
        }
        subscriptions.activate(checkout.userId(), checkout.plan(), checkout.id());
        users.entitle(checkout.userId());
        return "subscription-active";
    }

    /** The gateway says the checkout expired unpaid: an open checkout closes; a paid one stays paid. */
    public String checkoutExpired(String gatewaySessionId) {
        Optional<Ports.Checkout> found = checkouts.findByGatewaySession(gatewaySessionId);
        if (found.isEmpty()) {
            log.warn("checkout.session.expired for an unknown checkout session {}: acknowledged, ignored",
                    gatewaySessionId);
            return "unknown-checkout";
        }
        if (!found.get().status().equals("open")) {
            return "already-" + found.get().status();
        }
        checkouts.close(found.get().id(), "expired");
        return "checkout-expired";
    }

    /** The plan of the user's active subscription, if there is one. */
    public Optional<String> subscription(String userId) {
        return subscriptions.activePlan(userId);
    }

    /** Closes every open checkout past its expiry; returns how many. */
    public int expireOverdueCheckouts() {
        return checkouts.expireOverdue(null);
    }
}
