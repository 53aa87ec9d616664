package dev.idem.example.practice.adapters.jdbc;

import dev.idem.example.practice.application.Ports;
import dev.idem.example.practice.domain.Practice.CheckoutSession;
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
    public boolean claimOpen(UUID id, String userId, String plan) {
        return jdbc.sql("""
                INSERT INTO checkout_sessions (id, user_id, plan, status) VALUES (:id, :user, :plan, 'open')
                ON CONFLICT DO NOTHING""")
                .param("id", id).param("user", userId).param("plan", plan).update() == 1;
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
}
