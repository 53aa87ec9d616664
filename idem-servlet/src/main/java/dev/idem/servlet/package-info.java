/**
 * The IETF {@code Idempotency-Key} header semantics for any Jakarta Servlet container:
 * {@link dev.idem.servlet.IdempotencyFilter} runs each protected request at most once per key, stores the
 * response it produced, and replays it (status, allow-listed headers, body, plus
 * {@code Idempotent-Replayed: true}) to every retry. Errors are RFC 9457 {@code application/problem+json}.
 */
package dev.idem.servlet;
