package dev.idem.spring.txapp.jdbc;

import dev.idem.spring.app.TestCallers;
import dev.idem.spring.txapp.Gates;
import javax.sql.DataSource;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An application whose handlers write with {@code JdbcClient} and a joining {@code @Transactional} service, under
 * Spring Boot's {@code DataSourceTransactionManager}; transactional routes by path ({@code /tx/**}) and by annotation.
 */
@SpringBootApplication
@Import(TestCallers.class)
public class JdbcTxApplication {

    @Bean
    Gates gates() {
        return new Gates();
    }

    /** The notes table; a note 'refused-at-commit' violates a deferred check, so its transaction fails at COMMIT. */
    @Bean
    InitializingBean notesTable(DataSource dataSource, @Value("${test.notes-table}") String table) {
        return () -> {
            JdbcClient jdbc = JdbcClient.create(dataSource);
            jdbc.sql("CREATE TABLE IF NOT EXISTS " + table + " (id bigserial PRIMARY KEY, text text NOT NULL)").update();
            jdbc.sql("CREATE OR REPLACE FUNCTION " + table + "_refuse() RETURNS trigger LANGUAGE plpgsql AS"
                    + " 'BEGIN IF NEW.text = ''refused-at-commit'' THEN RAISE EXCEPTION ''refused at commit'';"
                    + " END IF; RETURN NEW; END'").update();
            jdbc.sql("DROP TRIGGER IF EXISTS refuse ON " + table).update();
            jdbc.sql("CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON " + table + " DEFERRABLE INITIALLY DEFERRED"
                    + " FOR EACH ROW EXECUTE FUNCTION " + table + "_refuse()").update();
        };
    }
}
