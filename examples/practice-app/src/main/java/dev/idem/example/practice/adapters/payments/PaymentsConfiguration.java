package dev.idem.example.practice.adapters.payments;

import dev.idem.example.practice.application.PaymentGateway;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code practice.payments=fake} (default) or {@code stripe}. */
@Configuration(proxyBeanMethods = false)
public class PaymentsConfiguration {

    @Bean
    @ConditionalOnProperty(name = "practice.payments", havingValue = "fake", matchIfMissing = true)
    PaymentGateway fakePaymentGateway() {
        return new FakePaymentGateway();
    }

    @Bean
    @ConditionalOnProperty(name = "practice.payments", havingValue = "fake", matchIfMissing = true)
    FakeGatewayEvents fakeGatewayEvents(@Value("${practice.stripe.webhook-secret}") String secret) {
        return new FakeGatewayEvents(secret);
    }

    @Bean
    @ConditionalOnProperty(name = "practice.payments", havingValue = "stripe")
    PaymentGateway stripePaymentGateway(@Value("${practice.stripe.api-key}") String apiKey,
                                        @Value("${practice.stripe.api-base:https://api.stripe.com}") String apiBase,
                                        @Value("${practice.stripe.price-monthly}") String monthly,
                                        @Value("${practice.stripe.price-yearly}") String yearly,
                                        @Value("${practice.stripe.success-url:http://localhost:8080/billing/success}") String success,
                                        @Value("${practice.stripe.cancel-url:http://localhost:8080/billing/cancel}") String cancel) {
        return new StripePaymentGateway(StripePaymentGateway.client(apiKey, apiBase),
                Map.of("monthly", monthly, "yearly", yearly), success, cancel);
    }
}
