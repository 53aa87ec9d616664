package dev.idem.spring.app;

import dev.idem.ReplayableError;
import dev.idem.spring.Idempotent;
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

    private final AtomicInteger executions = new AtomicInteger();

    /** How many times {@link #checkout} really ran (a method, since fields of a proxy are not the target's). */
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
}
