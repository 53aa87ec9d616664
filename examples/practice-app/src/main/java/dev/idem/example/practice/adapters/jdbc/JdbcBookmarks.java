package dev.idem.example.practice.adapters.jdbc;

import dev.idem.example.practice.application.Ports;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class JdbcBookmarks implements Ports.Bookmarks {

    private final JdbcClient jdbc;

    public JdbcBookmarks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void add(String userId, int questionId) {
        jdbc.sql("INSERT INTO bookmarks (user_id, question_id) VALUES (:user, :question) ON CONFLICT DO NOTHING")
                .param("user", userId).param("question", questionId).update();
    }

    @Override
    public void remove(String userId, int questionId) {
        jdbc.sql("DELETE FROM bookmarks WHERE user_id = :user AND question_id = :question")
                .param("user", userId).param("question", questionId).update();
    }

    /** One statement: delete the bookmark if it exists, else insert it. */
    @Override
    public boolean toggle(String userId, int questionId) {
        int inserted = jdbc.sql("""
                WITH removed AS (DELETE FROM bookmarks WHERE user_id = :user AND question_id = :question RETURNING 1)
                INSERT INTO bookmarks (user_id, question_id) SELECT :user, :question
                WHERE NOT EXISTS (SELECT 1 FROM removed) ON CONFLICT DO NOTHING""")
                .param("user", userId).param("question", questionId).update();
        return inserted == 1;
    }

    @Override
    public List<Integer> list(String userId) {
        return jdbc.sql("SELECT question_id FROM bookmarks WHERE user_id = :user ORDER BY question_id")
                .param("user", userId).query(Integer.class).list();
    }
}
