package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.memory.InMemoryIdempotencyStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdempotencyContextTest {

    private final Idempotency idem = Idempotency.builder(new InMemoryIdempotencyStore()).build();

    @AfterEach
    void close() {
        idem.close();
    }

    private static IdempotencyRequest request(String scope, String action, String key) {
        return IdempotencyRequest.builder(action).scope(scope).key(key).build();
    }

    private String derivedKeyFor(IdempotencyRequest request, String step) {
        return idem.execute(request, String.class, () -> IdempotencyContext.current().derivedKey(step));
    }

    @Test
    void currentOutsideAnActionThrows() {
        assertThatThrownBy(IdempotencyContext::current)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no idempotent action");
        assertThat(IdempotencyContext.find()).isEmpty();
    }

    @Test
    void contextInsideTheActionDescribesItsKeyAndIsGoneAfterwards() {
        // when
        String seen = idem.execute(request("u1", "order.create", "k1"), String.class, () -> {
            IdempotencyContext context = IdempotencyContext.current();
            return context.scope() + "|" + context.action() + "|" + context.key();
        });

        // then
        assertThat(seen).isEqualTo("u1|order.create|k1");
        assertThat(IdempotencyContext.find()).isEmpty();
    }

    @Test
    void contextIsClearedEvenWhenTheActionThrows() {
        // when
        assertThatThrownBy(() -> idem.execute(request("u1", "order.create", "k1"), String.class, () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");

        // then
        assertThat(IdempotencyContext.find()).isEmpty();
    }

    @Test
    void derivedKeyIsTheSameOnEveryRetryOfTheSameRequest() {
        // given: the first attempt fails transiently, so the retry runs the action again
        IdempotencyRequest request = request("u1", "order.pay", "k1");
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> idem.execute(request, String.class, () -> {
            seen.add(IdempotencyContext.current().derivedKey("stripe.checkout"));
            throw new IllegalStateException("stripe timeout");
        })).isInstanceOf(IllegalStateException.class);

        // when
        String retried = idem.execute(request, String.class, () -> {
            String key = IdempotencyContext.current().derivedKey("stripe.checkout");
            seen.add(key);
            return key;
        });

        // then
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1)).isEqualTo(seen.get(0)).isEqualTo(retried);
    }

    @Test
    void derivedKeyDiffersPerStepActionAndScope() {
        // when
        String base = derivedKeyFor(request("u1", "order.pay", "k1"), "stripe.checkout");
        String sameKeyOtherStep = idem.execute(request("u1", "order.pay", "k2"), String.class, () -> {
            IdempotencyContext c = IdempotencyContext.current();
            return c.derivedKey("stripe.checkout") + " " + c.derivedKey("email.receipt");
        });
        String otherAction = derivedKeyFor(request("u1", "order.refund", "k1"), "stripe.checkout");
        String otherScope = derivedKeyFor(request("u2", "order.pay", "k1"), "stripe.checkout");

        // then
        String[] twoSteps = sameKeyOtherStep.split(" ");
        assertThat(twoSteps[0]).isNotEqualTo(twoSteps[1]);
        assertThat(List.of(base, otherAction, otherScope, twoSteps[0], twoSteps[1])).doesNotHaveDuplicates();
    }

    @Test
    void derivedKeyIsPrefixedAndUrlSafe() {
        // when
        String key = derivedKeyFor(request("user with spaces/\u00e9", "order.pay", "k1"), "step \u2603 with unicode");

        // then
        assertThat(key).startsWith("idem_").matches("idem_[A-Za-z0-9_-]+").hasSize(48);
        assertThat(IdempotencyKey.of(key).value()).isEqualTo(key);
    }

    @Test
    void blankStepIsRejected() {
        assertThatThrownBy(() -> idem.execute(request("u1", "order.pay", "k1"), String.class,
                () -> IdempotencyContext.current().derivedKey(" ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("step");
    }
}
