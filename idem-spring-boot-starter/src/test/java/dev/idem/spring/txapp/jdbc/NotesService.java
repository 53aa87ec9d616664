package dev.idem.spring.txapp.jdbc;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A {@code @Transactional} service: on a transactional route it joins the request's transaction. */
@Service
public class NotesService {

    private final JdbcClient jdbc;
    private final String table;

    public NotesService(JdbcClient jdbc, @Value("${test.notes-table}") String table) {
        this.jdbc = jdbc;
        this.table = table;
    }

    @Transactional
    public long add(String text) {
        return jdbc.sql("INSERT INTO " + table + " (text) VALUES (:text) RETURNING id").param("text", text)
                .query(Long.class).single();
    }

    public long count() {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }
}
