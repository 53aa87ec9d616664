package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;

/**
 * P2 issue #5253: chat messages had a nullable idempotency key, so keyless clients could store duplicates. Now
 * the column is NOT NULL with UNIQUE (session_id, idempotency_key); a keyless message gets a server-generated key
 * (option A), which is stored and echoed so the client can retry with it.
 */
class P2Issue5253ChatMessageKeyTest extends PracticeAppTestBase {

    private String chat;

    @BeforeEach
    void newChat() {
        chat = field(post("/api/chat-sessions", BOB, newKey("chat"), "{}").body(), "chatSessionId");
    }

    private String messages() {
        return "/api/chat-sessions/" + chat + "/messages";
    }

    private long rows() {
        return count("SELECT count(*) FROM chat_messages WHERE session_id = CAST(? AS uuid)", chat);
    }

    @Test
    void aKeylessMessageGetsAServerKeyThatIsStoredAndEchoed() {
        Reply reply = post(messages(), BOB, null, "{\"content\":\"What is idempotency?\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        String key = field(reply.body(), "idempotencyKey");
        assertThat(key).isNotBlank();
        assertThat(reply.keyHeader()).isEqualTo(key);
        assertThat(count("SELECT count(*) FROM chat_messages WHERE session_id = CAST(? AS uuid)"
                + " AND idempotency_key = ?", chat, key)).isEqualTo(1);

        Reply retry = post(messages(), BOB, key, "{\"content\":\"What is idempotency?\"}");
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.isReplay()).as("a retry with the echoed key replays").isTrue();
        assertThat(retry.body()).isEqualTo(reply.body());
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void twoKeylessMessagesAreTwoMessagesWithDistinctKeys() {
        Reply first = post(messages(), BOB, null, "{\"content\":\"hi\"}");
        Reply second = post(messages(), BOB, null, "{\"content\":\"hi\"}");
        assertThat(field(first.body(), "idempotencyKey")).isNotEqualTo(field(second.body(), "idempotencyKey"));
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void aClientKeyIsStoredAndDuplicatesAreReplayedOrRejected() {
        String key = newKey("msg");
        Reply first = post(messages(), BOB, key, "{\"content\":\"hello\"}");
        Reply retry = post(messages(), BOB, key, "{\"content\":\"hello\"}");
        assertThat(field(first.body(), "idempotencyKey")).isEqualTo(key);
        assertThat(retry.isReplay()).isTrue();
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(post(messages(), BOB, key, "{\"content\":\"changed\"}").status()).isEqualTo(422);
        assertThat(rows()).isEqualTo(1);

        assertThatThrownBy(() -> jdbc.sql("INSERT INTO chat_messages (id, session_id, content, idempotency_key)"
                        + " VALUES (?, CAST(? AS uuid), 'dup', ?)").param(UUID.randomUUID()).param(chat).param(key).update())
                .as("UNIQUE (session_id, idempotency_key)").isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void theKeyColumnIsNotNull() {
        assertThat(jdbc.sql("SELECT is_nullable || ':' || character_maximum_length FROM information_schema.columns"
                + " WHERE table_name = 'chat_messages' AND column_name = 'idempotency_key'").query(String.class).single())
                .isEqualTo("NO:64");
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO chat_messages (id, session_id, content, idempotency_key)"
                        + " VALUES (?, CAST(? AS uuid), 'no key', NULL)").param(UUID.randomUUID()).param(chat).update())
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThat(rows()).isZero();
    }

    @Test
    void aKeyLongerThanTheColumnIsRefusedBeforeAnythingRuns() {
        Reply reply = post(messages(), BOB, "k".repeat(65), "{\"content\":\"long key\"}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).contains("key-invalid");
        assertThat(rows()).isZero();
    }
}
