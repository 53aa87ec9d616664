package dev.idem.client.spring;

import dev.idem.client.Exchange;
import dev.idem.client.IdempotencyKeys;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.RetryRules;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.support.HttpRequestWrapper;

/**
 * A {@link ClientHttpRequestInterceptor} for {@code RestClient} and {@code RestTemplate} that makes each keyed call
 * (POST and PATCH by default) one logical call: the caller's {@code Idempotency-Key} or a new one, resent
 * unchanged on every retry under {@link IdempotentCalls}' rules. Other requests pass through untouched.
 *
 * <p>Spring hands interceptors the body as bytes, so every body can be resent. A retried answer is closed before
 * the next attempt; a 409 or 422 is buffered, so the caller still reads its body. Interceptors after this one run
 * on every attempt (Spring Framework 6.2 and later). Each attempt's timeouts are the request factory's. The outcome
 * of each call goes to the {@link IdempotentCalls} listener. Thread-safe.
 */
public final class IdempotentRequestInterceptor implements ClientHttpRequestInterceptor {

    private final IdempotentCalls calls;

    /** With the default settings ({@link IdempotentCalls#defaults()}). */
    public IdempotentRequestInterceptor() {
        this(IdempotentCalls.defaults());
    }

    public IdempotentRequestInterceptor(IdempotentCalls calls) {
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        String method = request.getMethod().name();
        if (!calls.keyed(method)) {
            return execution.execute(request, body);
        }
        String existing = request.getHeaders().getFirst(IdempotencyKeys.HEADER);
        String key = calls.keyFor(existing);
        HttpRequest keyed = existing != null ? request : withKey(request, IdempotencyKeys.headerValue(key));
        try {
            return calls.execute(method, key, new SpringExchange(execution, keyed, body)).response();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting to retry");
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    private static HttpRequest withKey(HttpRequest request, String headerValue) {
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(request.getHeaders());
        headers.set(IdempotencyKeys.HEADER, headerValue);
        return new HttpRequestWrapper(request) {
            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        };
    }

    private record SpringExchange(ClientHttpRequestExecution execution, HttpRequest request, byte[] body)
            implements Exchange<ClientHttpResponse> {

        @Override
        public ClientHttpResponse send() throws IOException {
            ClientHttpResponse response = execution.execute(request, body);
            return RetryRules.needsProblem(response.getStatusCode().value()) ? Buffered.of(response) : response;
        }

        @Override
        public int status(ClientHttpResponse response) {
            try {
                return response.getStatusCode().value();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public String header(ClientHttpResponse response, String name) {
            return response.getHeaders().getFirst(name);
        }

        @Override
        public byte[] body(ClientHttpResponse response) {
            return ((Buffered) response).bytes;
        }

        @Override
        public void discard(ClientHttpResponse response) {
            response.close();
        }
    }

    /** A response whose body was read into memory, so it can be read again. */
    private static final class Buffered implements ClientHttpResponse {
        private final ClientHttpResponse response;
        private final byte[] bytes;

        private Buffered(ClientHttpResponse response, byte[] bytes) {
            this.response = response;
            this.bytes = bytes;
        }

        static Buffered of(ClientHttpResponse response) throws IOException {
            try (InputStream in = response.getBody()) {
                return new Buffered(response, in.readAllBytes());
            }
        }

        @Override
        public HttpStatusCode getStatusCode() throws IOException {
            return response.getStatusCode();
        }

        @Override
        public String getStatusText() throws IOException {
            return response.getStatusText();
        }

        @Override
        public HttpHeaders getHeaders() {
            return response.getHeaders();
        }

        @Override
        public InputStream getBody() {
            return new ByteArrayInputStream(bytes);
        }

        @Override
        public void close() {
            response.close();
        }
    }
}
