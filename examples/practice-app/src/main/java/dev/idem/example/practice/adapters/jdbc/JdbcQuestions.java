package dev.idem.example.practice.adapters.jdbc;

import dev.idem.example.practice.application.Ports;
import dev.idem.example.practice.domain.Question;
import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The question bank; read once and cached, as it is seed data. */
@Repository
public class JdbcQuestions implements Ports.Questions {

    private final JdbcClient jdbc;
    private volatile List<Question> cache;

    public JdbcQuestions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Question> all() {
        List<Question> bank = cache;
        if (bank == null) {
            bank = load();
            cache = bank;
        }
        return bank;
    }

    @Override
    public Optional<Question> find(int id) {
        return all().stream().filter(q -> q.id() == id).findFirst();
    }

    private List<Question> load() {
        Map<Integer, List<Question.Choice>> choices = new LinkedHashMap<>();
        jdbc.sql("SELECT question_id, id, label FROM choices ORDER BY question_id, position").query(rs -> {
            choices.computeIfAbsent(rs.getInt("question_id"), k -> new ArrayList<>())
                    .add(new Question.Choice(rs.getString("id"), rs.getString("label")));
        });
        return jdbc.sql("SELECT id, stem, correct_choice_id, tags FROM questions ORDER BY id")
                .query((rs, n) -> new Question(rs.getInt("id"), rs.getString("stem"),
                        List.copyOf(choices.getOrDefault(rs.getInt("id"), List.of())), strings(rs.getArray("tags")),
                        rs.getString("correct_choice_id")))
                .list();
    }

    static List<String> strings(Array array) throws SQLException {
        return List.copyOf(Arrays.asList((String[]) array.getArray()));
    }
}
