package dev.idem.example.practice.adapters.web;

import dev.idem.IdempotencyContext;
import dev.idem.example.practice.application.ChatUseCases;
import dev.idem.example.practice.domain.Practice.ChatMessage;
import java.security.Principal;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/chat-sessions")
public class ChatController {

    public record Created(UUID chatSessionId) {
    }

    public record MessageRequest(String content) {
    }

    public record Posted(UUID messageId, String idempotencyKey) {
    }

    private final ChatUseCases chat;

    public ChatController(ChatUseCases chat) {
        this.chat = chat;
    }

    @PostMapping
    public ResponseEntity<Created> create(Principal user) {
        return ResponseEntity.status(201).body(new Created(chat.createSession(user.getName())));
    }

    /** The key is the client's, or the one Idem generated for a keyless request (missing-key policy generate). */
    @PostMapping(path = "/{id}/messages", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Posted> post(Principal user, @PathVariable UUID id, @RequestBody MessageRequest request) {
        String key = IdempotencyContext.current().key();
        ChatMessage message = chat.post(user.getName(), id, request.content(), key);
        return ResponseEntity.status(201).header("Idempotency-Key", key)
                .body(new Posted(message.messageId(), message.idempotencyKey()));
    }
}
