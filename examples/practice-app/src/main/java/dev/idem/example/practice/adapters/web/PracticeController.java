package dev.idem.example.practice.adapters.web;

import dev.idem.example.practice.application.PracticeUseCases;
import dev.idem.example.practice.domain.Practice.Attempt;
import dev.idem.example.practice.domain.Practice.Mark;
import dev.idem.example.practice.domain.Practice.Session;
import dev.idem.example.practice.domain.Practice.Summary;
import dev.idem.example.practice.domain.Question;
import java.net.URI;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Questions and practice sessions. POSTs are protected by Idem's filter; nothing here knows about keys. */
@RestController
@RequestMapping("/api")
public class PracticeController {

    public record QuestionView(int id, String stem, List<String> tags, List<Question.Choice> choices) {
    }

    public record StartRequest(Integer questionCount, List<String> tags) {
    }

    public record Started(UUID sessionId, List<Integer> questionIds) {
    }

    public record AnswerRequest(Integer questionId, String choiceId) {
    }

    public record Answered(UUID attemptId, boolean correct) {
    }

    public record MarkRequest(Boolean marked) {
    }

    public record SessionState(UUID sessionId, List<Integer> questionIds, Instant createdAt, boolean ended,
                               Summary summary, List<Attempt> attempts, List<Mark> marks) {
    }

    private final PracticeUseCases practice;

    public PracticeController(PracticeUseCases practice) {
        this.practice = practice;
    }

    @GetMapping("/questions")
    public List<QuestionView> questions() {
        return practice.bank().stream().map(q -> new QuestionView(q.id(), q.stem(), q.tags(), q.choices())).toList();
    }

    @PostMapping(path = "/practice-sessions", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Started> start(Principal user, @RequestBody(required = false) StartRequest request) {
        StartRequest r = request == null ? new StartRequest(null, null) : request;
        Session session = practice.start(user.getName(), r.questionCount(), r.tags());
        return ResponseEntity.created(URI.create("/api/practice-sessions/" + session.id()))
                .body(new Started(session.id(), session.questionIds()));
    }

    @PostMapping(path = "/practice-sessions/{id}/answers", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Answered> answer(Principal user, @PathVariable UUID id, @RequestBody AnswerRequest request) {
        Attempt attempt = practice.answer(user.getName(), id, request.questionId(), request.choiceId());
        return ResponseEntity.status(201).body(new Answered(attempt.attemptId(), attempt.correct()));
    }

    @PostMapping("/practice-sessions/{id}/end")
    public Summary end(Principal user, @PathVariable UUID id) {
        return practice.end(user.getName(), id);
    }

    @PutMapping(path = "/practice-sessions/{id}/questions/{questionId}/mark",
            consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mark mark(Principal user, @PathVariable UUID id, @PathVariable int questionId,
                     @RequestBody MarkRequest request) {
        return practice.mark(user.getName(), id, questionId, request.marked());
    }

    @GetMapping("/practice-sessions/{id}")
    public SessionState get(Principal user, @PathVariable UUID id) {
        PracticeUseCases.SessionView view = practice.view(user.getName(), id);
        Session s = view.session();
        return new SessionState(s.id(), s.questionIds(), s.createdAt(), s.ended(), s.summary(), view.attempts(),
                view.marks());
    }
}
