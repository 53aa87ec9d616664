package dev.idem.spring.opsapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An application with the starter, Actuator and Spring Security set up the usual way: actuator endpoints for the
 * roles OPS and ADMIN over HTTP Basic, deletes for ADMIN only.
 */
@SpringBootApplication
public class OpsApplication {

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers(HttpMethod.DELETE, "/actuator/**").hasRole("ADMIN")
                        .requestMatchers("/actuator/**").hasAnyRole("OPS", "ADMIN")
                        .anyRequest().denyAll())
                .httpBasic(Customizer.withDefaults())
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(
                User.withUsername("olga").password("{noop}ops-password").roles("OPS").build(),
                User.withUsername("adam").password("{noop}admin-password").roles("ADMIN").build());
    }
}
