package dev.idem.example.practice.adapters.jdbc;

import dev.idem.example.practice.application.Ports;
import dev.idem.example.practice.domain.DomainException;
import dev.idem.example.practice.domain.Practice.ChatMessage;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class JdbcChats implements Ports.Chats {

    private final JdbcClient jdbc;

    public JdbcChats(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public UUID createSession(String userId) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO chat_sessions (id, user_id) VALUES (:id, :user)")
                .param("id", id).param("user", userId).update();
        return id;
    }

    @Override
    public boolean exists(UUID chatSessionId, String userId) {
        return jdbc.sql("SELECT count(*) FROM chat_sessions WHERE id = :id AND user_id = :user")
                .param("id", chatSessionId).param("user", userId).query(Long.class).single() > 0;
    }

    /** UNIQUE (session_id, idempotency_key) is the last line of defence against a duplicate message. */
    @Override
    public ChatMessage addMessage(UUID chatSessionId, String content, String idempotencyKey) {
        UUID id = UUID.randomUUID();
        try {
            jdbc.sql("""
                    INSERT INTO chat_messages (id, session_id, content, idempotency_key)
                    VALUES (:id, :session, :content, :key)""")
                    .param("id", id).param("session", chatSessionId).param("content", content)
                    .param("key", idempotencyKey).update();
        } catch (DuplicateKeyException e) {
            throw new DomainException.Conflict("a message with idempotency key " + idempotencyKey
                    + " already exists in this chat session");
        }
        return new ChatMessage(id, chatSessionId, content, idempotencyKey);
    }
}
