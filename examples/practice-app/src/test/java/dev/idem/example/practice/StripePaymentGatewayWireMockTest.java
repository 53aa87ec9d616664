package dev.idem.example.practice;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import com.github.tomakehurst.wiremock.client.WireMock;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.idem.example.practice.adapters.payments.StripePaymentGateway;
import dev.idem.example.practice.application.PaymentGateway;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The app with {@code practice.payments=stripe}, the official stripe-java client pointed at a local WireMock standing
 * in for api.stripe.com: the Idempotency-Key Stripe receives is {@code derivedKey("stripe.checkout")} of the
 * client's key, identical when the same request is retried and different for another request.
 */
class StripePaymentGatewayWireMockTest extends PracticeAppTestBase {

    private static final String SESSIONS = "/v1/checkout/sessions";
    private static final WireMockServer STRIPE = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    static {
        STRIPE.start();
    }

    @DynamicPropertySource
    static void stripe(DynamicPropertyRegistry registry) {
        registry.add("practice.payments", () -> "stripe");
        registry.add("practice.stripe.api-base", STRIPE::baseUrl);
        registry.add("practice.stripe.api-key", () -> "sk_test_practice");
        registry.add("practice.stripe.price-monthly", () -> "price_monthly");
        registry.add("practice.stripe.price-yearly", () -> "price_yearly");
    }

    @Autowired
    PaymentGateway gateway;

    @BeforeEach
    void reset() {
        STRIPE.resetAll();
        closeOpenCheckouts("bob");
    }

    @AfterEach
    void close() {
        closeOpenCheckouts("bob");
    }

    @AfterAll
    static void stop() {
        STRIPE.stop();
    }

    private static void stripeFailsOnceThenSucceeds() {
        STRIPE.stubFor(WireMock.post(urlEqualTo(SESSIONS)).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}"))
                .willSetStateTo("up"));
        STRIPE.stubFor(WireMock.post(urlEqualTo(SESSIONS)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson("{\"id\":\"cs_test_123\",\"object\":\"checkout.session\","
                        + "\"url\":\"https://checkout.stripe.com/c/pay/cs_test_123\"}")));
    }

    private static List<String> keysStripeReceived() {
        return STRIPE.findAll(postRequestedFor(urlEqualTo(SESSIONS))).stream()
                .map((LoggedRequest r) -> r.getHeader("Idempotency-Key")).toList();
    }

    @Test
    void theStripeAdapterIsUsed() {
        assertThat(gateway).isInstanceOf(StripePaymentGateway.class);
    }

    @Test
    void aRetryForwardsTheSameKeyAndAnotherRequestAnotherKey() {
        stripeFailsOnceThenSucceeds();
        String key = newKey("checkout");

        Reply failed = post("/api/billing/checkout-sessions", BOB, key, "{\"plan\":\"monthly\"}");
        assertThat(failed.status()).as("Stripe's 500 is a 502, not stored").isEqualTo(502);
        assertThat(failed.contentType()).startsWith("application/problem+json");
        assertThat(count("SELECT count(*) FROM checkout_sessions WHERE user_id = 'bob' AND status = 'open'"))
                .as("the failed attempt released its open-checkout slot").isZero();

        Reply retried = post("/api/billing/checkout-sessions", BOB, key, "{\"plan\":\"monthly\"}");
        assertThat(retried.status()).as(retried.body()).isEqualTo(201);
        assertThat(retried.body()).contains("cs_test_123").contains("https://checkout.stripe.com/c/pay/cs_test_123");

        Reply replayed = post("/api/billing/checkout-sessions", BOB, key, "{\"plan\":\"monthly\"}");
        assertThat(replayed.isReplay()).isTrue();

        List<String> keys = keysStripeReceived();
        assertThat(keys).as("the replay did not call Stripe").hasSize(2);
        assertThat(keys.get(0)).startsWith("idem_").hasSize(48).isNotEqualTo(key);
        assertThat(keys.get(1)).as("the retry forwards the identical key").isEqualTo(keys.get(0));

        closeOpenCheckouts("bob");
        Reply other = post("/api/billing/checkout-sessions", BOB, newKey("checkout"), "{\"plan\":\"monthly\"}");
        assertThat(other.status()).isEqualTo(201);
        List<String> after = keysStripeReceived();
        assertThat(after).hasSize(3);
        assertThat(after.get(2)).as("another request, another key").startsWith("idem_").isNotEqualTo(keys.get(0));
    }

    @Test
    void stripeGetsTheCheckoutParameters() {
        STRIPE.stubFor(WireMock.post(urlEqualTo(SESSIONS)).willReturn(okJson(
                "{\"id\":\"cs_test_9\",\"object\":\"checkout.session\",\"url\":\"https://checkout.stripe.com/c/pay/cs_test_9\"}")));
        assertThat(post("/api/billing/checkout-sessions", BOB, newKey("checkout"), "{\"plan\":\"yearly\"}").status())
                .isEqualTo(201);
        LoggedRequest request = STRIPE.findAll(postRequestedFor(urlEqualTo(SESSIONS))).get(0);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer sk_test_practice");
        assertThat(request.getBodyAsString()).contains("mode=subscription").contains("client_reference_id=bob")
                .contains("price_yearly");
    }
}
