package dev.idem.example.practice;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The exam-practice application: every state-changing endpoint is protected by Idem's Idempotency-Key filter. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PracticeApplication {

    public static void main(String[] args) {
        SpringApplication.run(PracticeApplication.class, args);
    }
}
