package dev.idem.example.practice.adapters.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves {@code Authorization: Bearer <token>} to a user and exposes it as the request's {@link Principal}. Runs
 * before Idem's filter, whose default scope resolver keys idempotency records by the principal's name.
 */
public class BearerTokenFilter extends OncePerRequestFilter {

    private final AuthProperties auth;

    public BearerTokenFilter(AuthProperties auth) {
        this.auth = auth;
    }

    /** Stripe's webhook deliveries carry no bearer token: their signature authenticates them. */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getRequestURI().equals(StripeWebhookController.PATH);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        String user = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            user = auth.tokens().get(header.substring(7).trim());
        }
        if (user == null) {
            response.setStatus(401);
            response.setHeader("WWW-Authenticate", "Bearer");
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            String detail = header == null ? "missing Authorization: Bearer <token> header" : "unknown bearer token";
            response.getOutputStream().write(("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                    + "\"detail\":\"" + detail + "\",\"instance\":\"" + request.getRequestURI().replace("\"", "")
                    + "\"}").getBytes(StandardCharsets.UTF_8));
            return;
        }
        Principal principal = new UserPrincipal(user);
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public Principal getUserPrincipal() {
                return principal;
            }

            @Override
            public String getRemoteUser() {
                return principal.getName();
            }
        }, response);
    }

    record UserPrincipal(String getName) implements Principal {
    }
}
