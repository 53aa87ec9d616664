package dev.idem.example.practice.adapters.web;

import dev.idem.example.practice.application.BillingUseCases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Closes open checkouts past {@code practice.checkout.expiry} (24 h by default, as Stripe's) every
 * {@code practice.checkout.expiry-sweep} (1 min). A user's own overdue checkout also closes when they start a new
 * one, so nobody waits for the sweep.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class CheckoutExpiry {

    private static final Logger log = LoggerFactory.getLogger(CheckoutExpiry.class);

    private final BillingUseCases billing;

    public CheckoutExpiry(BillingUseCases billing) {
        this.billing = billing;
    }

    @Scheduled(fixedDelayString = "${practice.checkout.expiry-sweep:1m}",
            initialDelayString = "${practice.checkout.expiry-sweep:1m}")
    void sweep() {
        try {
            int expired = billing.expireOverdueCheckouts();
            if (expired > 0) {
                log.info("{} open checkout(s) expired", expired);
            }
        } catch (RuntimeException e) {
            log.warn("checkout expiry sweep failed, will try again: {}", e.toString());
        }
    }
}
