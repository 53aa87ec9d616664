package dev.idem.example.practice.adapters.web;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code practice.auth.tokens}: bearer token to user id (a demo stand-in for a real identity provider). */
@ConfigurationProperties("practice.auth")
public record AuthProperties(Map<String, String> tokens) {

    public AuthProperties {
        tokens = tokens == null ? Map.of() : Map.copyOf(tokens);
    }
}
