package dev.idem.spring.txapp.jpa;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An application with a Spring Data JPA repository under Spring Boot's {@code JpaTransactionManager}, and a
 * {@code JdbcClient} handler beside it; transactional routes by {@code idem.http.transactional-paths}.
 */
@SpringBootApplication
public class JpaTxApplication {
}
