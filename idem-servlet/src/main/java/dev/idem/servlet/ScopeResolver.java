package dev.idem.servlet;

import jakarta.servlet.http.HttpServletRequest;

/** Names the owner of a request's key (user, tenant); keys of different scopes never meet. Thread-safe. */
@FunctionalInterface
public interface ScopeResolver {

    String scopeOf(HttpServletRequest request);

    /** The authenticated principal's name, or {@code ""} for anonymous requests. */
    static ScopeResolver principalName() {
        return request -> request.getUserPrincipal() != null ? request.getUserPrincipal().getName() : "";
    }
}
