package dev.idem.example.practice.adapters.payments;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.checkout.SessionCreateParams;
import dev.idem.example.practice.application.PaymentGateway;
import dev.idem.example.practice.domain.Practice.CheckoutSession;
import java.util.Map;

/**
 * Stripe Checkout through the official client. The caller's idempotency key (in this app
 * {@code IdempotencyContext.current().derivedKey("stripe.checkout")}) is forwarded as Stripe's
 * {@code Idempotency-Key}, so a retry of the same request never creates a second Stripe session.
 */
public class StripePaymentGateway implements PaymentGateway {

    private final StripeClient client;
    private final Map<String, String> priceIds;
    private final String successUrl;
    private final String cancelUrl;

    public StripePaymentGateway(StripeClient client, Map<String, String> priceIds, String successUrl, String cancelUrl) {
        this.client = client;
        this.priceIds = Map.copyOf(priceIds);
        this.successUrl = successUrl;
        this.cancelUrl = cancelUrl;
    }

    public static StripeClient client(String apiKey, String apiBase) {
        // no hidden network retries: the client's own retries would reuse the key anyway, but the app decides
        return StripeClient.builder().setApiKey(apiKey).setApiBase(apiBase).setMaxNetworkRetries(0).build();
    }

    @Override
    public CheckoutSession createCheckoutSession(String userId, String plan, String idempotencyKey) {
        String price = priceIds.get(plan);
        if (price == null) {
            throw new IllegalStateException("no Stripe price configured for plan " + plan);
        }
        SessionCreateParams params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                .setClientReferenceId(userId)
                .setSuccessUrl(successUrl)
                .setCancelUrl(cancelUrl)
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(price).setQuantity(1L).build())
                .build();
        RequestOptions options = RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
        try {
            Session session = client.v1().checkout().sessions().create(params, options);
            return new CheckoutSession(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw new PaymentGatewayException("Stripe refused the checkout session: " + e.getMessage(), e);
        }
    }

    /** The gateway failed; the request may be retried with the same key. */
    public static class PaymentGatewayException extends RuntimeException {
        public PaymentGatewayException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
