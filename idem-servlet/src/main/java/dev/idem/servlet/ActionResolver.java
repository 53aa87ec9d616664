package dev.idem.servlet;

import jakarta.servlet.http.HttpServletRequest;

/** Names the operation a request performs; a record is keyed by (scope, action, key). Thread-safe. */
@FunctionalInterface
public interface ActionResolver {

    String actionOf(HttpServletRequest request);

    /** {@code METHOD /request/uri} (without the query string). */
    static ActionResolver methodAndPath() {
        return request -> request.getMethod() + " " + request.getRequestURI();
    }
}
