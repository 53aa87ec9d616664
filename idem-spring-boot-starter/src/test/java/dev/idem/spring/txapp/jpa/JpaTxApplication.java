package dev.idem.spring.txapp.jpa;

import dev.idem.spring.app.TestCallers;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * An application with a Spring Data JPA repository under Spring Boot's {@code JpaTransactionManager}, and a
 * {@code JdbcClient} handler beside it; transactional routes by {@code idem.http.transactional-paths}.
 */
@SpringBootApplication
@Import(TestCallers.class)
public class JpaTxApplication {
}
