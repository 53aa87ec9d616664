package dev.idem.servlet;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Names the owner of a request's key (user, tenant); keys of different scopes never meet. {@code null} means the
 * request has no known owner (an anonymous caller): the filter then follows
 * {@link IdempotencyFilterConfig.AnonymousRequests}. A resolver that gives anonymous callers a scope of its own (a
 * session or device id, say) takes that decision itself. Thread-safe.
 */
@FunctionalInterface
public interface ScopeResolver {

    /** The request's scope, or null when its caller is anonymous. */
    String scopeOf(HttpServletRequest request);

    /** The authenticated principal's name, or null for an anonymous request. */
    static ScopeResolver principalName() {
        return request -> request.getUserPrincipal() != null ? request.getUserPrincipal().getName() : null;
    }
}
