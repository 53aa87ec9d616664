package dev.idem.spring.app;

import dev.idem.MissingKeyPolicy;
import dev.idem.ReplayableError;
import dev.idem.spring.Idempotent;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;

/** Service-level idempotency without HTTP. */
@Service
public class CheckoutService {

    public record Checkout(String checkoutId, String userId, String plan) {
    }

    public record CheckoutCommand(String idempotencyKey, String plan) {
    }

    /** A deterministic business error, replayed as itself. */
    public static class PlanUnavailable extends RuntimeException implements ReplayableError {
        private static final long serialVersionUID = 1L;

        public PlanUnavailable(String message) {
            super(message);
        }

        @Override
        public String errorCode() {
            return "PLAN_UNAVAILABLE";
        }
    }

    /** A checked deterministic error: the method declares it, so it is rethrown as itself, not wrapped. */
    public static class OutOfStock extends Exception implements ReplayableError {
        private static final long serialVersionUID = 1L;

        public OutOfStock(String message) {
            super(message);
        }

        @Override
        public String errorCode() {
            return "OUT_OF_STOCK";
        }
    }

    private final AtomicInteger executions = new AtomicInteger();

    /** How many times any method here really ran (a method, since fields of a proxy are not the target's). */
    public int executions() {
        return executions.get();
    }

    @Idempotent(action = "billing.checkout", key = "#command.idempotencyKey", scope = "#userId")
    public Checkout checkout(String userId, CheckoutCommand command) {
        int n = executions.incrementAndGet();
        if ("discontinued".equals(command.plan())) {
            throw new PlanUnavailable("plan " + command.plan() + " is not sold any more");
        }
        return new Checkout("cs_" + n, userId, command.plan());
    }

    /** A generic return type and a checked exception; the action defaults to {@code CheckoutService.reserve}. */
    @Idempotent(key = "#key")
    public List<Checkout> reserve(String key, String item, int quantity) throws OutOfStock {
        int n = executions.incrementAndGet();
        if (quantity > 10) {
            throw new OutOfStock(quantity + " x " + item + " not in stock");
        }
        return List.of(new Checkout("r_" + n, "warehouse", item), new Checkout("r_" + n + "b", "warehouse", item));
    }

    /** Without a key the call runs unprotected. */
    @Idempotent(action = "billing.note", key = "#key", missingKeyPolicy = MissingKeyPolicy.Kind.PASS_THROUGH)
    public int note(String key, String text) {
        return executions.incrementAndGet();
    }

    /** Without a key, identical arguments within a minute count as one call. */
    @Idempotent(action = "billing.notify", key = "#key", missingKeyPolicy = MissingKeyPolicy.Kind.DERIVE_FROM_CONTENT,
            dedupWindow = "1m")
    public int notifyCustomer(String key, String customer, String message) {
        return executions.incrementAndGet();
    }
}
