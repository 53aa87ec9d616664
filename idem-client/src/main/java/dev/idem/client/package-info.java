/**
 * The caller's half of Idem: one idempotency key per logical call, sent as {@code Idempotency-Key: "..."} and
 * resent unchanged on every retry, so a retried call runs at most once on a server that honours the key.
 *
 * <p>Start with {@link dev.idem.client.IdempotentCalls}: its settings (attempts, deadline, backoff, keyed methods)
 * and its retry loop are shared by every adapter. {@link dev.idem.client.IdempotentHttpClient} wraps the JDK's
 * {@code java.net.http.HttpClient}; the OkHttp and Spring adapters live in {@code idem-client-okhttp} and
 * {@code idem-client-spring}. {@link dev.idem.client.RetryRules} says what is retried and what never is. Every
 * type here is immutable and thread-safe unless its javadoc says otherwise. JDK only.
 */
package dev.idem.client;
