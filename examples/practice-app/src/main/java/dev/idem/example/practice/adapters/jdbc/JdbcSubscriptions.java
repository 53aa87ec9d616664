package dev.idem.example.practice.adapters.jdbc;

import dev.idem.example.practice.application.Ports;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** One subscription row per user; a paid checkout makes it active. */
@Repository
public class JdbcSubscriptions implements Ports.Subscriptions {

    private final JdbcClient jdbc;

    public JdbcSubscriptions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean isActive(String userId) {
        return jdbc.sql("SELECT count(*) FROM subscriptions WHERE user_id = :user AND status = 'active'")
                .param("user", userId).query(Long.class).single() > 0;
    }

    @Override
    public Optional<String> activePlan(String userId) {
        return jdbc.sql("SELECT plan FROM subscriptions WHERE user_id = :user AND status = 'active'")
                .param("user", userId).query(String.class).optional();
    }

    @Override
    public void activate(String userId, String plan, UUID checkoutId) {
        jdbc.sql("""
                INSERT INTO subscriptions (user_id, plan, status, checkout_session_id)
                VALUES (:user, :plan, 'active', :checkout)
                ON CONFLICT (user_id) DO UPDATE SET plan = EXCLUDED.plan, status = 'active',
                    checkout_session_id = EXCLUDED.checkout_session_id, activated_at = now()""")
                .param("user", userId).param("plan", plan).param("checkout", checkoutId).update();
    }
}
