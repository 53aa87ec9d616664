package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.IdempotencyKeyReusedException;
import dev.idem.MissingIdempotencyKeyException;
import dev.idem.spring.app.CheckoutService;
import dev.idem.spring.app.CheckoutService.Checkout;
import dev.idem.spring.app.CheckoutService.CheckoutCommand;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.annotation.Autowired;

/** {@link Idempotent} on a Spring bean's methods: service-level idempotency without HTTP, in the same application. */
class StarterIdempotentMethodTest extends StarterAppTest {

    @Autowired
    CheckoutService checkout;
    @Autowired
    MeterRegistry meters;

    @Test
    void theServiceIsProxied() {
        assertThat(AopUtils.isAopProxy(checkout)).isTrue();
    }

    @Test
    void aRepeatedCallWithTheSameKeyReturnsTheStoredResultWithoutRunning() {
        Checkout first = checkout.checkout("alice", new CheckoutCommand("svc-1", "monthly"));
        int executions = checkout.executions();

        Checkout again = checkout.checkout("alice", new CheckoutCommand("svc-1", "monthly"));

        assertThat(again).isEqualTo(first);
        assertThat(checkout.executions()).isEqualTo(executions);
    }

    @Test
    void theScopeFromSpelSeparatesUsers() {
        Checkout alice = checkout.checkout("alice", new CheckoutCommand("svc-scope", "monthly"));
        Checkout bob = checkout.checkout("bob", new CheckoutCommand("svc-scope", "monthly"));

        assertThat(bob.userId()).isEqualTo("bob");
        assertThat(bob.checkoutId()).isNotEqualTo(alice.checkoutId());
    }

    @Test
    void theSameKeyWithOtherArgumentsIsRefused() {
        checkout.checkout("alice", new CheckoutCommand("svc-reuse", "monthly"));
        int executions = checkout.executions();

        assertThatThrownBy(() -> checkout.checkout("alice", new CheckoutCommand("svc-reuse", "yearly")))
                .isInstanceOf(IdempotencyKeyReusedException.class);
        assertThat(checkout.executions()).isEqualTo(executions);
    }

    @Test
    void aReplayableErrorIsRethrownToEveryRetryAsTheSameType() {
        double replayedErrors = meters.counter("idem.replays", "action", "billing.checkout", "kind", "error").count();
        int executions = checkout.executions();

        assertThatThrownBy(() -> checkout.checkout("alice", new CheckoutCommand("svc-2", "discontinued")))
                .isInstanceOf(CheckoutService.PlanUnavailable.class);
        assertThatThrownBy(() -> checkout.checkout("alice", new CheckoutCommand("svc-2", "discontinued")))
                .isInstanceOf(CheckoutService.PlanUnavailable.class).hasMessageContaining("not sold any more");

        assertThat(checkout.executions()).isEqualTo(executions + 1);
        assertThat(meters.counter("idem.replays", "action", "billing.checkout", "kind", "error").count())
                .isEqualTo(replayedErrors + 1);
    }

    @Test
    void aDeclaredCheckedExceptionIsRethrownAsItselfNotWrapped() {
        int executions = checkout.executions();

        assertThatThrownBy(() -> checkout.reserve("svc-stock", "chair", 50))
                .isExactlyInstanceOf(CheckoutService.OutOfStock.class).hasMessage("50 x chair not in stock");
        assertThatThrownBy(() -> checkout.reserve("svc-stock", "chair", 50))
                .isExactlyInstanceOf(CheckoutService.OutOfStock.class).hasMessage("50 x chair not in stock");
        assertThat(checkout.executions()).isEqualTo(executions + 1);
    }

    @Test
    void aGenericReturnTypeIsReplayedWithItsElementType() throws Exception {
        List<Checkout> first = checkout.reserve("svc-list", "desk", 2);

        List<Checkout> again = checkout.reserve("svc-list", "desk", 2);

        assertThat(again).isEqualTo(first).hasSize(2).allSatisfy(c -> assertThat(c).isInstanceOf(Checkout.class));
        assertThat(meters.counter("idem.replays", "action", "CheckoutService.reserve", "kind", "result").count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aNullKeyFollowsTheMissingKeyPolicy() {
        int executions = checkout.executions();

        assertThatThrownBy(() -> checkout.checkout("alice", new CheckoutCommand(null, "monthly")))
                .isInstanceOf(MissingIdempotencyKeyException.class);
        assertThat(checkout.executions()).isEqualTo(executions);

        checkout.note(null, "hello");
        checkout.note(null, "hello");
        assertThat(checkout.executions()).as("pass-through runs every call").isEqualTo(executions + 2);

        int first = checkout.notifyCustomer(null, "c-1", "your order shipped");
        int duplicate = checkout.notifyCustomer(null, "c-1", "your order shipped");
        int other = checkout.notifyCustomer(null, "c-1", "your order arrived");
        assertThat(duplicate).as("derived from content: identical arguments are one call").isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(checkout.executions()).isEqualTo(executions + 4);
    }
}
