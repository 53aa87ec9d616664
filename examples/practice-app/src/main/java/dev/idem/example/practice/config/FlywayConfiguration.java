package dev.idem.example.practice.config;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Migrates the app's schema and demo data ({@code classpath:db/practice}) at start-up. Flyway is run directly (the
 * project pins Flyway 13, newer than the one Spring Boot 4.0's Flyway auto-configuration is built against). Idem's
 * own table is created by the starter ({@code idem.postgres.create-schema=true}).
 */
@Configuration(proxyBeanMethods = false)
public class FlywayConfiguration {

    @Bean(initMethod = "migrate")
    Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/practice")
                .table("practice_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load();
    }
}
