package dev.idem.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLSession;

/**
 * Keyed calls over the JDK's {@link HttpClient}, which has no interceptors: {@link #send}, or {@link #sendAsync}
 * without blocking a thread, gives a keyed request (POST and PATCH by default) one idempotency key and resends it,
 * unchanged, under {@link IdempotentCalls}' rules. Other methods go through as one plain {@code send}.
 *
 * <p>A body must be repeatable, and the JDK's publishers say so by knowing their length: {@code ofString},
 * {@code ofByteArray}, {@code ofFile} and {@code noBody} are; a publisher of unknown length ({@code ofInputStream},
 * {@code ofByteArrays}, {@code fromPublisher} without a length) is refused with {@link UnrepeatableBodyException}
 * before anything is sent. Answers that may be retried or inspected (409, 422 and the retryable statuses) are
 * buffered before the caller's body handler sees them. Each attempt's timeout is the request's own
 * ({@link HttpRequest.Builder#timeout}); a timed-out attempt is retried.
 *
 * <p>Thread-safe, as the wrapped client is.
 */
public final class IdempotentHttpClient {

    private final HttpClient client;
    private final IdempotentCalls calls;

    private IdempotentHttpClient(HttpClient client, IdempotentCalls calls) {
        this.client = Objects.requireNonNull(client, "client");
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    /** Wraps {@code client} with the default settings ({@link IdempotentCalls#defaults()}). */
    public static IdempotentHttpClient wrap(HttpClient client) {
        return new IdempotentHttpClient(client, IdempotentCalls.defaults());
    }

    public static IdempotentHttpClient wrap(HttpClient client, IdempotentCalls calls) {
        return new IdempotentHttpClient(client, calls);
    }

    /** The wrapped client. */
    public HttpClient httpClient() {
        return client;
    }

    /**
     * Sends {@code request} as one logical call: with the caller's {@code Idempotency-Key} when it has one, else a
     * new key, on every attempt.
     *
     * @throws UnrepeatableBodyException when the body's length is unknown (it could not be sent twice)
     * @throws KeyReusedException        when the server says the key belongs to another request
     * @throws IllegalArgumentException  when the caller's {@code Idempotency-Key} holds no valid key
     * @throws IOException               when no attempt answered: the last failure, earlier ones suppressed
     */
    public <T> IdempotentResponse<T> send(HttpRequest request, BodyHandler<T> handler)
            throws IOException, InterruptedException {
        Objects.requireNonNull(handler, "handler");
        if (!calls.keyed(request.method())) {
            return plain(request, client.send(request, handler));
        }
        JdkExchange<T> exchange = keyed(request, handler);
        return answer(calls.execute(request.method(), exchange.key(), exchange), handler);
    }

    /**
     * Like {@link #send}, without blocking a thread: attempts go out with {@link HttpClient#sendAsync} and waits
     * between them are delays, not sleeps. The future fails with {@link KeyReusedException}, or with the last
     * attempt's {@link IOException} when no attempt answered (wrapped, as a {@code CompletableFuture}'s failures
     * are, in {@link java.util.concurrent.ExecutionException} by {@code get}). Cancelling it starts no further attempt
     * (an attempt already sent runs to its end, its answer dropped), and the calls' listener hears of the call as
     * unanswered.
     *
     * @throws UnrepeatableBodyException when the body's length is unknown, before anything is sent
     * @throws IllegalArgumentException  when the caller's {@code Idempotency-Key} holds no valid key
     */
    public <T> CompletableFuture<IdempotentResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
        Objects.requireNonNull(handler, "handler");
        if (!calls.keyed(request.method())) {
            return client.sendAsync(request, handler).thenApply(response -> plain(request, response));
        }
        JdkExchange<T> exchange = keyed(request, handler);
        CompletableFuture<IdempotentCalls.Result<HttpResponse<Held<T>>>> call =
                calls.executeAsync(request.method(), exchange.key(), exchange);
        CompletableFuture<IdempotentResponse<T>> answer = call.thenApply(result -> answer(result, handler));
        answer.whenComplete((ignored, error) -> {
            if (answer.isCancelled()) {
                call.cancel(false); // a dependent future's cancel does not reach the call by itself
            }
        });
        return answer;
    }

    /** An unkeyed method's one plain answer. */
    private static <T> IdempotentResponse<T> plain(HttpRequest request, HttpResponse<T> response) {
        boolean replayed = "true".equalsIgnoreCase(
                response.headers().firstValue(IdempotencyKeys.REPLAYED_HEADER).orElse(""));
        return new IdempotentResponse<>(response, new CallOutcome(request.method(), "", 1, response.statusCode(),
                replayed, java.time.Duration.ZERO));
    }

    /** The exchange of a keyed call: its body checked, its key the caller's or a new one, set on the request. */
    private <T> JdkExchange<T> keyed(HttpRequest request, BodyHandler<T> handler) {
        long length = request.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength).orElse(0L);
        if (length < 0) {
            throw new UnrepeatableBodyException("the body of " + request.method() + " " + request.uri() + " has an"
                    + " unknown length, so it may not be sendable twice under the same idempotency key; use"
                    + " BodyPublishers.ofString, ofByteArray or ofFile");
        }
        Optional<String> existing = request.headers().firstValue(IdempotencyKeys.HEADER);
        String key = calls.keyFor(existing.orElse(null));
        HttpRequest keyed = existing.isPresent() ? request
                : HttpRequest.newBuilder(request, (name, value) -> true)
                        .header(IdempotencyKeys.HEADER, IdempotencyKeys.headerValue(key)).build();
        return new JdkExchange<>(client, keyed, handler, key);
    }

    private static <T> IdempotentResponse<T> answer(IdempotentCalls.Result<HttpResponse<Held<T>>> result,
                                                    BodyHandler<T> handler) {
        HttpResponse<Held<T>> answer = result.response();
        return new IdempotentResponse<>(answer.body().unwrap(answer, handler), result.outcome());
    }

    /** An answer's body: the caller's own, or bytes held back until the call decides (to retry or to answer). */
    private record Held<T>(T body, byte[] bytes) {

        HttpResponse<T> unwrap(HttpResponse<Held<T>> response, BodyHandler<T> handler) {
            T value = bytes == null ? body : feed(handler.apply(new Info(response)), bytes);
            return new Unwrapped<>(response, value);
        }

        /** Feeds buffered bytes to the caller's subscriber, as the client would have. */
        private static <T> T feed(BodySubscriber<T> subscriber, byte[] bytes) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private boolean done;

                @Override
                public void request(long n) {
                    if (!done && n > 0) {
                        done = true;
                        subscriber.onNext(List.of(ByteBuffer.wrap(bytes)));
                        subscriber.onComplete();
                    }
                }

                @Override
                public void cancel() {
                    done = true;
                }
            });
            return subscriber.getBody().toCompletableFuture().join();
        }
    }

    private record Info(HttpResponse<?> response) implements HttpResponse.ResponseInfo {
        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public HttpHeaders headers() {
            return response.headers();
        }

        @Override
        public HttpClient.Version version() {
            return response.version();
        }
    }

    private record JdkExchange<T>(HttpClient client, HttpRequest request, BodyHandler<T> handler, String key)
            implements AsyncExchange<HttpResponse<Held<T>>> {

        @Override
        public HttpResponse<Held<T>> send() throws IOException, InterruptedException {
            return client.send(request, this::holdOrHandle);
        }

        @Override
        public CompletableFuture<HttpResponse<Held<T>>> sendAsync() {
            return client.sendAsync(request, this::holdOrHandle);
        }

        /** Answers that may be retried or inspected are held as bytes; the others go to the caller's handler. */
        private BodySubscriber<Held<T>> holdOrHandle(HttpResponse.ResponseInfo info) {
            int status = info.statusCode();
            if (RetryRules.needsProblem(status) || RetryRules.RETRYABLE_STATUSES.contains(status)) {
                return BodySubscribers.mapping(BodySubscribers.ofByteArray(), bytes -> new Held<T>(null, bytes));
            }
            return BodySubscribers.mapping(handler.apply(info), body -> new Held<>(body, null));
        }

        @Override
        public int status(HttpResponse<Held<T>> response) {
            return response.statusCode();
        }

        @Override
        public String header(HttpResponse<Held<T>> response, String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        @Override
        public byte[] body(HttpResponse<Held<T>> response) {
            return response.body().bytes();
        }

        @Override
        public void discard(HttpResponse<Held<T>> response) {
            // held answers are plain bytes: nothing to close
        }
    }

    /** The caller's view of the answer: its status and headers, with the body the caller's handler made. */
    private record Unwrapped<T>(HttpResponse<?> response, T body) implements HttpResponse<T> {
        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public HttpRequest request() {
            return response.request();
        }

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return response.headers();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return response.sslSession();
        }

        @Override
        public URI uri() {
            return response.uri();
        }

        @Override
        public HttpClient.Version version() {
            return response.version();
        }
    }
}
