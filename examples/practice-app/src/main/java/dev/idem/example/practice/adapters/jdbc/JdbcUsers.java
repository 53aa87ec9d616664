package dev.idem.example.practice.adapters.jdbc;

import dev.idem.example.practice.application.Ports;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class JdbcUsers implements Ports.Users {

    private final JdbcClient jdbc;

    public JdbcUsers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean isEntitled(String userId) {
        return jdbc.sql("SELECT entitled FROM users WHERE id = :id").param("id", userId)
                .query(Boolean.class).optional().orElse(false);
    }

    @Override
    public void entitle(String userId) {
        jdbc.sql("UPDATE users SET entitled = true WHERE id = :id").param("id", userId).update();
    }
}
