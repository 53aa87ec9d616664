package dev.idem.example.practice.application;

import dev.idem.example.practice.domain.DomainException;
import dev.idem.example.practice.domain.Practice.ChatMessage;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Tutor chat: every message carries an idempotency key, the client's or a server-generated one (P2 #5253). */
@Service
public class ChatUseCases {

    private final Ports.Users users;
    private final Ports.Chats chats;

    public ChatUseCases(Ports.Users users, Ports.Chats chats) {
        this.users = users;
        this.chats = chats;
    }

    public UUID createSession(String userId) {
        requireEntitled(userId);
        return chats.createSession(userId);
    }

    public ChatMessage post(String userId, UUID chatSessionId, String content, String idempotencyKey) {
        requireEntitled(userId);
        if (content == null || content.isBlank()) {
            throw new DomainException.Invalid("content must not be blank");
        }
        if (content.length() > 4000) {
            throw new DomainException.Invalid("content may have at most 4000 characters");
        }
        if (!chats.exists(chatSessionId, userId)) {
            throw new DomainException.NotFound("no chat session " + chatSessionId);
        }
        return chats.addMessage(chatSessionId, content, idempotencyKey);
    }

    private void requireEntitled(String userId) {
        if (!users.isEntitled(userId)) {
            throw new DomainException.Forbidden("user " + userId + " has no active subscription");
        }
    }
}
