package dev.idem.example.practice.application;

import dev.idem.example.practice.domain.DomainException;
import dev.idem.example.practice.domain.Practice.Attempt;
import dev.idem.example.practice.domain.Practice.Mark;
import dev.idem.example.practice.domain.Practice.Session;
import dev.idem.example.practice.domain.Practice.Summary;
import dev.idem.example.practice.domain.PracticeRules;
import dev.idem.example.practice.domain.Question;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Start, answer, mark, end and read practice sessions. */
@Service
public class PracticeUseCases {

    public record SessionView(Session session, List<Attempt> attempts, List<Mark> marks) {
    }

    private final Ports.Users users;
    private final Ports.Questions questions;
    private final Ports.PracticeSessions sessions;
    private final Random random = new SecureRandom();

    public PracticeUseCases(Ports.Users users, Ports.Questions questions, Ports.PracticeSessions sessions) {
        this.users = users;
        this.questions = questions;
        this.sessions = sessions;
    }

    public List<Question> bank() {
        return questions.all();
    }

    public Session start(String userId, Integer questionCount, List<String> tags) {
        requireEntitled(userId);
        List<Integer> picked = PracticeRules.pickQuestions(questions.all(), questionCount == null ? 10 : questionCount,
                tags, random);
        return sessions.create(userId, picked);
    }

    public Attempt answer(String userId, UUID sessionId, Integer questionId, String choiceId) {
        requireEntitled(userId);
        if (questionId == null || choiceId == null || choiceId.isBlank()) {
            throw new DomainException.Invalid("questionId and choiceId are required");
        }
        Session session = owned(userId, sessionId);
        if (session.ended()) {
            throw new DomainException.Conflict("practice session " + sessionId + " has ended");
        }
        if (!session.questionIds().contains(questionId)) {
            throw new DomainException.Invalid("question " + questionId + " is not part of this session");
        }
        Question question = questions.find(questionId)
                .orElseThrow(() -> new DomainException.NotFound("no question " + questionId));
        if (!question.hasChoice(choiceId)) {
            throw new DomainException.Invalid("question " + questionId + " has no choice '" + choiceId + "'");
        }
        return sessions.addAttempt(sessionId, questionId, choiceId, question.isCorrect(choiceId));
    }

    /** Ends the session; ending an ended session returns the stored summary (BUG-091). */
    public Summary end(String userId, UUID sessionId) {
        requireEntitled(userId);
        owned(userId, sessionId);
        return sessions.end(sessionId);
    }

    /** Sets (not toggles) the mark of a question. */
    public Mark mark(String userId, UUID sessionId, int questionId, Boolean marked) {
        requireEntitled(userId);
        if (marked == null) {
            throw new DomainException.Invalid("marked is required (true or false)");
        }
        Session session = owned(userId, sessionId);
        if (!session.questionIds().contains(questionId)) {
            throw new DomainException.Invalid("question " + questionId + " is not part of this session");
        }
        sessions.mark(sessionId, questionId, marked);
        return new Mark(questionId, marked);
    }

    public SessionView view(String userId, UUID sessionId) {
        requireEntitled(userId);
        Session session = owned(userId, sessionId);
        return new SessionView(session, sessions.attempts(sessionId), sessions.marks(sessionId));
    }

    private Session owned(String userId, UUID sessionId) {
        return sessions.find(sessionId, userId)
                .orElseThrow(() -> new DomainException.NotFound("no practice session " + sessionId));
    }

    void requireEntitled(String userId) {
        if (!users.isEntitled(userId)) {
            throw new DomainException.Forbidden("user " + userId + " has no active subscription");
        }
    }
}
