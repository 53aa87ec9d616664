package dev.idem.example.practice.adapters.jdbc;

import dev.idem.example.practice.application.Ports;
import dev.idem.example.practice.domain.Practice.CheckoutSession;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class JdbcCheckouts implements Ports.Checkouts {

    private final JdbcClient jdbc;

    public JdbcCheckouts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The partial unique index checkout_sessions_one_open_per_user makes the losers of a race insert nothing. */
    @Override
    public boolean claimOpen(UUID id, String userId, String plan, Duration expiry) {
        return jdbc.sql("""
                INSERT INTO checkout_sessions (id, user_id, plan, status, expires_at)
                VALUES (:id, :user, :plan, 'open', now() + make_interval(secs => :seconds))
                ON CONFLICT DO NOTHING""")
                .param("id", id).param("user", userId).param("plan", plan)
                .param("seconds", expiry.toMillis() / 1000.0).update() == 1;
    }

    @Override
    public void attachGatewaySession(UUID id, CheckoutSession session) {
        jdbc.sql("UPDATE checkout_sessions SET gateway_session_id = :gid, url = :url WHERE id = :id")
                .param("gid", session.checkoutSessionId()).param("url", session.url()).param("id", id).update();
    }

    @Override
    public void release(UUID id) {
        jdbc.sql("DELETE FROM checkout_sessions WHERE id = :id").param("id", id).update();
    }

    @Override
    public Optional<CheckoutSession> findOpen(String userId) {
        return jdbc.sql("""
                SELECT gateway_session_id, url FROM checkout_sessions
                WHERE user_id = :user AND status = 'open' AND gateway_session_id IS NOT NULL""")
                .param("user", userId)
                .query((rs, n) -> new CheckoutSession(rs.getString(1), rs.getString(2))).optional();
    }

    @Override
    public int expireOverdue(String userId) {
        return jdbc.sql("""
                UPDATE checkout_sessions SET status = 'expired', closed_at = now()
                WHERE status = 'open' AND expires_at <= now() AND (CAST(:user AS varchar) IS NULL OR user_id = :user)""")
                .param("user", userId).update();
    }

    @Override
    public Optional<Ports.Checkout> findByGatewaySession(String gatewaySessionId) {
        return jdbc.sql("SELECT id, user_id, plan, status FROM checkout_sessions WHERE gateway_session_id = :gid"
                        + " ORDER BY created_at DESC LIMIT 1")
                .param("gid", gatewaySessionId)
                .query((rs, n) -> new Ports.Checkout(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getString(4))).optional();
    }

    @Override
    public void close(UUID id, String status) {
        jdbc.sql("UPDATE checkout_sessions SET status = :status, closed_at = now() WHERE id = :id")
                .param("status", status).param("id", id).update();
    }
}
