package dev.idem.spring.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small application using the starter as a user would: a DataSource (from {@code spring.datasource.url}),
 * controllers, an {@code @Idempotent} service, Spring Boot's own Micrometer auto-configuration, and, having no
 * authentication, its own names for its callers ({@link TestCallers}); nothing else.
 */
@SpringBootApplication
public class TestApplication {
}
