package dev.idem.example.practice.adapters.jdbc;

import dev.idem.example.practice.application.Ports;
import dev.idem.example.practice.domain.DomainException;
import dev.idem.example.practice.domain.Practice.Attempt;
import dev.idem.example.practice.domain.Practice.Mark;
import dev.idem.example.practice.domain.Practice.Session;
import dev.idem.example.practice.domain.Practice.Summary;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class JdbcPracticeSessions implements Ports.PracticeSessions {

    private final JdbcClient jdbc;

    public JdbcPracticeSessions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Session create(String userId, List<Integer> questionIds) {
        UUID id = UUID.randomUUID();
        String ids = questionIds.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
        return jdbc.sql("""
                INSERT INTO practice_sessions (id, user_id, question_ids) VALUES (:id, :user, CAST(:ids AS int[]))
                RETURNING id, user_id, question_ids, created_at, ended_at, answered, correct""")
                .param("id", id).param("user", userId).param("ids", ids)
                .query(JdbcPracticeSessions::session).single();
    }

    @Override
    public Optional<Session> find(UUID sessionId, String userId) {
        return jdbc.sql("""
                SELECT id, user_id, question_ids, created_at, ended_at, answered, correct
                FROM practice_sessions WHERE id = :id AND user_id = :user""")
                .param("id", sessionId).param("user", userId)
                .query(JdbcPracticeSessions::session).optional();
    }

    @Override
    public Attempt addAttempt(UUID sessionId, int questionId, String choiceId, boolean correct) {
        UUID id = UUID.randomUUID();
        int rows = jdbc.sql("""
                INSERT INTO attempts (id, session_id, question_id, choice_id, correct)
                SELECT :id, :session, :question, :choice, :correct
                WHERE EXISTS (SELECT 1 FROM practice_sessions WHERE id = :session AND ended_at IS NULL)""")
                .param("id", id).param("session", sessionId).param("question", questionId)
                .param("choice", choiceId).param("correct", correct).update();
        if (rows == 0) {
            throw new DomainException.Conflict("practice session " + sessionId + " has ended");
        }
        return new Attempt(id, sessionId, questionId, choiceId, correct);
    }

    @Override
    public List<Attempt> attempts(UUID sessionId) {
        return jdbc.sql("""
                SELECT id, session_id, question_id, choice_id, correct FROM attempts
                WHERE session_id = :session ORDER BY created_at, id""")
                .param("session", sessionId)
                .query((rs, n) -> new Attempt(rs.getObject("id", UUID.class), rs.getObject("session_id", UUID.class),
                        rs.getInt("question_id"), rs.getString("choice_id"), rs.getBoolean("correct")))
                .list();
    }

    /**
     * One conditional UPDATE ends the session and stores its summary; when it was already ended (a retry, or a
     * concurrent end that won the row lock) the stored summary is returned instead of a CONFLICT (BUG-091).
     */
    @Override
    public Summary end(UUID sessionId) {
        Optional<Summary> ended = jdbc.sql("""
                UPDATE practice_sessions s SET ended_at = now(),
                    answered = (SELECT count(*) FROM attempts a WHERE a.session_id = s.id),
                    correct = (SELECT count(*) FROM attempts a WHERE a.session_id = s.id AND a.correct)
                WHERE s.id = :id AND s.ended_at IS NULL
                RETURNING s.id, s.ended_at, s.answered, s.correct""")
                .param("id", sessionId).query(JdbcPracticeSessions::summary).optional();
        return ended.orElseGet(() -> jdbc.sql(
                        "SELECT id, ended_at, answered, correct FROM practice_sessions WHERE id = :id")
                .param("id", sessionId).query(JdbcPracticeSessions::summary).single());
    }

    @Override
    public void mark(UUID sessionId, int questionId, boolean marked) {
        jdbc.sql("""
                INSERT INTO marks (session_id, question_id, marked) VALUES (:session, :question, :marked)
                ON CONFLICT (session_id, question_id) DO UPDATE SET marked = EXCLUDED.marked""")
                .param("session", sessionId).param("question", questionId).param("marked", marked).update();
    }

    @Override
    public List<Mark> marks(UUID sessionId) {
        return jdbc.sql("SELECT question_id, marked FROM marks WHERE session_id = :session ORDER BY question_id")
                .param("session", sessionId)
                .query((rs, n) -> new Mark(rs.getInt("question_id"), rs.getBoolean("marked"))).list();
    }

    private static Session session(ResultSet rs, int row) throws SQLException {
        Integer[] ids = (Integer[]) rs.getArray("question_ids").getArray();
        OffsetDateTime ended = rs.getObject("ended_at", OffsetDateTime.class);
        UUID id = rs.getObject("id", UUID.class);
        return new Session(id, rs.getString("user_id"), List.copyOf(Arrays.asList(ids)),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                ended == null ? null : new Summary(id, ended.toInstant(), rs.getInt("answered"), rs.getInt("correct")));
    }

    private static Summary summary(ResultSet rs, int row) throws SQLException {
        return new Summary(rs.getObject("id", UUID.class), rs.getObject("ended_at", OffsetDateTime.class).toInstant(),
                rs.getInt("answered"), rs.getInt("correct"));
    }
}
