package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;

/**
 * DEBT-078 / BUG-047: double-clicks and races created several checkouts (and subscriptions) per user. Identical
 * requests share a key and run once; requests with different keys are stopped by the partial unique index
 * {@code checkout_sessions_one_open_per_user}, so the losers resume the one open checkout (or get 409 while it is still
 * being created).
 */
class Debt078ConcurrentCheckoutTest extends PracticeAppTestBase {

    private static final String CHECKOUT = "/api/billing/checkout-sessions";

    @BeforeEach
    @AfterEach
    void noOpenCheckout() {
        closeOpenCheckouts("alice");
    }

    private long open() {
        return count("SELECT count(*) FROM checkout_sessions WHERE user_id = 'alice' AND status = 'open'");
    }

    @Test
    void tenConcurrentIdenticalRequestsCreateOneCheckout() throws Exception {
        long before = count("SELECT count(*) FROM checkout_sessions WHERE user_id = 'alice'");
        String key = newKey("checkout");
        List<Reply> replies = concurrently(10, () -> post(CHECKOUT, ALICE, key, "{\"plan\":\"monthly\"}"));
        assertThat(replies).extracting(Reply::status).allMatch(s -> s == 201 || s == 409);
        List<Reply> created = replies.stream().filter(r -> r.status() == 201).toList();
        assertThat(created).isNotEmpty();
        assertThat(created).extracting(Reply::body).containsOnly(created.get(0).body());
        assertThat(created.stream().filter(r -> !r.isReplay())).hasSize(1);
        assertThat(count("SELECT count(*) FROM checkout_sessions WHERE user_id = 'alice'")).isEqualTo(before + 1);
        assertThat(open()).isEqualTo(1);
        String gatewayId = field(created.get(0).body(), "checkoutSessionId");
        assertThat(count("SELECT count(*) FROM checkout_sessions WHERE gateway_session_id = ?", gatewayId))
                .isEqualTo(1);
    }

    @Test
    void tenConcurrentRequestsWithDifferentKeysStillLeaveOneOpenCheckout() throws Exception {
        List<Reply> replies = concurrently(10, () -> post(CHECKOUT, ALICE, newKey("checkout"), "{\"plan\":\"monthly\"}"));
        assertThat(replies).extracting(Reply::status).allMatch(s -> s == 201 || s == 200 || s == 409);
        List<Reply> created = replies.stream().filter(r -> r.status() == 201).toList();
        assertThat(created).hasSize(1);
        String session = field(created.get(0).body(), "checkoutSessionId");
        // the others resume the open checkout, or are told it is still being created (409, retry)
        assertThat(replies.stream().filter(r -> r.status() == 200)).allSatisfy(r ->
                assertThat(field(r.body(), "checkoutSessionId")).isEqualTo(session));
        assertThat(replies.stream().filter(r -> r.status() == 409)).allSatisfy(r -> {
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.body()).contains("checkout-in-progress").contains("still being created");
        });
        assertThat(open()).isEqualTo(1);
    }

    @Test
    void theDatabaseItselfRefusesASecondOpenCheckout() {
        assertThat(post(CHECKOUT, ALICE, newKey("checkout"), "{\"plan\":\"yearly\"}").status()).isEqualTo(201);
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO checkout_sessions (id, user_id, plan, status)"
                        + " VALUES (?, 'alice', 'monthly', 'open')").param(UUID.randomUUID()).update())
                .isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void anUnknownPlanIsABadRequest() {
        Reply reply = post(CHECKOUT, ALICE, newKey("checkout"), "{\"plan\":\"weekly\"}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).contains("plan must be one of");
        assertThat(open()).isZero();
    }
}
