package dev.idem.client.spring;

import dev.idem.client.CallOutcome;
import dev.idem.client.IdempotencyKeys;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.KeyReusedException;
import dev.idem.client.Problem;
import dev.idem.client.RetryRules;
import dev.idem.client.UnrepeatableBodyException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link ExchangeFilterFunction} for {@code WebClient} that makes each keyed call (POST and PATCH by default) one
 * logical call: the caller's {@code Idempotency-Key} or a new one, resent unchanged on every retry under
 * {@link IdempotentCalls}' rules, with non-blocking waits ({@link Mono#delay}). Other requests pass through.
 *
 * <p>WebClient writes bodies as streams, so the first attempt's body is collected in memory (at most
 * {@code maxBodyBytes}, 1 MiB by default) before anything is sent, and every retry sends those bytes with the same
 * headers. A larger body, or a streamed one ({@code writeAndFlushWith}), fails with
 * {@link UnrepeatableBodyException} before any byte is sent. A retried answer's body is released; a 409 or 422 is
 * buffered, so the caller still reads it. Each attempt's timeouts are the connector's (e.g. Reactor Netty's
 * {@code responseTimeout}); a timed-out attempt is retried. The outcome of each call goes to the
 * {@link IdempotentCalls} listener. Thread-safe.
 */
public final class IdempotentExchangeFilter implements ExchangeFilterFunction {

    /** The default limit of a keyed request's body. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    private final IdempotentCalls calls;
    private final int maxBodyBytes;

    /** With the default settings ({@link IdempotentCalls#defaults()}) and a 1 MiB body limit. */
    public IdempotentExchangeFilter() {
        this(IdempotentCalls.defaults());
    }

    public IdempotentExchangeFilter(IdempotentCalls calls) {
        this(calls, DEFAULT_MAX_BODY_BYTES);
    }

    public IdempotentExchangeFilter(IdempotentCalls calls, int maxBodyBytes) {
        this.calls = Objects.requireNonNull(calls, "calls");
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative, not " + maxBodyBytes);
        }
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        String method = request.method().name();
        if (!calls.keyed(method)) {
            return next.exchange(request);
        }
        String existing = request.headers().getFirst(IdempotencyKeys.HEADER);
        String key;
        try {
            key = calls.keyFor(existing);
        } catch (IllegalArgumentException e) {
            return Mono.error(e);
        }
        ClientRequest keyed = ClientRequest.from(request)
                .headers(h -> {
                    if (existing == null) {
                        h.set(IdempotencyKeys.HEADER, IdempotencyKeys.headerValue(key));
                    }
                })
                .body(new RepeatableBody(request.body(), maxBodyBytes, method + " " + request.url()))
                .build();
        return Mono.defer(() -> attempt(new Call(method, key, keyed, next, System.nanoTime())));
    }

    /** One logical call's state across its attempts. */
    private record Call(String method, String key, ClientRequest request, ExchangeFunction next, long start,
                        AtomicInteger attempts) {
        Call(String method, String key, ClientRequest request, ExchangeFunction next, long start) {
            this(method, key, request, next, start, new AtomicInteger());
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }

    /** An attempt's result: an answer or a failure. */
    private record Tried(ClientResponse response, Throwable failure) {
    }

    private Mono<ClientResponse> attempt(Call call) {
        int n = call.attempts().incrementAndGet();
        return call.next().exchange(call.request())
                .map(response -> new Tried(response, null))
                .onErrorResume(e -> Mono.just(new Tried(null, e)))
                .flatMap(tried -> tried.failure() != null ? failed(call, n, tried.failure())
                        : answered(call, n, tried.response()));
    }

    private Mono<ClientResponse> failed(Call call, int n, Throwable failure) {
        Optional<Duration> wait = retryable(failure) ? calls.waitBeforeRetry(n, call.elapsed(), null)
                : Optional.empty();
        if (wait.isEmpty()) {
            finish(call, n, 0, false);
            return Mono.error(failure);
        }
        return Mono.delay(wait.get()).then(Mono.defer(() -> attempt(call)));
    }

    private Mono<ClientResponse> answered(Call call, int n, ClientResponse response) {
        int status = response.statusCode().value();
        if (!RetryRules.needsProblem(status)) {
            return decide(call, n, response, Problem.NONE);
        }
        return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> decide(call, n,
                response.mutate().body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes))).build(),
                Problem.parse(bytes)));
    }

    private Mono<ClientResponse> decide(Call call, int n, ClientResponse response, Problem problem) {
        int status = response.statusCode().value();
        RetryRules.Verdict verdict = RetryRules.verdict(status, problem);
        if (verdict == RetryRules.Verdict.KEY_REUSED) {
            finish(call, n, 0, false);
            return response.releaseBody().then(Mono.error(new KeyReusedException(call.key(), problem.detail())));
        }
        if (verdict == RetryRules.Verdict.RETRY) {
            Optional<Duration> wait = calls.waitBeforeRetry(n, call.elapsed(),
                    response.headers().asHttpHeaders().getFirst("Retry-After"));
            if (wait.isPresent()) {
                return response.releaseBody().then(Mono.delay(wait.get())).then(Mono.defer(() -> attempt(call)));
            }
        }
        finish(call, n, status, "true".equalsIgnoreCase(response.headers().asHttpHeaders()
                .getFirst(IdempotencyKeys.REPLAYED_HEADER)));
        return Mono.just(response);
    }

    private void finish(Call call, int attempts, int status, boolean replayed) {
        calls.finished(new CallOutcome(call.method(), call.key(), attempts, status, replayed, call.elapsed()));
    }

    /** A failure on the way: an I/O error ({@link RetryRules#retryable}) or a timeout, possibly wrapped. */
    static boolean retryable(Throwable failure) {
        Throwable cause = failure instanceof WebClientRequestException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof UnrepeatableBodyException) {
            return false;
        }
        if (cause instanceof TimeoutException || isNettyTimeout(cause)) {
            return true;
        }
        return RetryRules.retryable(cause);
    }

    /** Netty's read, write and idle timeouts, without a compile-time dependency on Netty. */
    private static boolean isNettyTimeout(Throwable failure) {
        for (Class<?> c = failure.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("io.netty.handler.timeout.TimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The request's body, made repeatable: the first attempt records what the original inserter writes (headers
     * it set and bytes, within the limit) before sending it; later attempts send the recording.
     */
    private static final class RepeatableBody implements BodyInserter<Void, ClientHttpRequest> {
        private final BodyInserter<?, ? super ClientHttpRequest> original;
        private final int maxBytes;
        private final String call;
        private volatile Recorded recorded;

        RepeatableBody(BodyInserter<?, ? super ClientHttpRequest> original, int maxBytes, String call) {
            this.original = original;
            this.maxBytes = maxBytes;
            this.call = call;
        }

        @Override
        public Mono<Void> insert(ClientHttpRequest request, Context context) {
            Recorded replay = recorded;
            return replay != null ? replay.writeTo(request) : original.insert(new Recording(request), context);
        }

        /** Headers the original inserter set and the body bytes (null when it wrote no body). */
        private record Recorded(HttpHeaders headers, byte[] bytes) {
            Mono<Void> writeTo(ClientHttpRequest request) {
                headers.forEach((name, values) -> {
                    if (!request.getHeaders().containsHeader(name)) {
                        request.getHeaders().put(name, values);
                    }
                });
                if (bytes == null) {
                    return request.setComplete();
                }
                request.getHeaders().setContentLength(bytes.length);
                return request.writeWith(Mono.just(request.bufferFactory().wrap(bytes)));
            }
        }

        private final class Recording extends ClientHttpRequestDecorator {
            Recording(ClientHttpRequest delegate) {
                super(delegate);
            }

            @Override
            public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
                // join returns a single-buffer Mono as it is, without applying the limit: so check it here too
                return DataBufferUtils.join(body, maxBytes)
                        .onErrorMap(DataBufferLimitException.class, e -> tooLarge())
                        .<byte[]>handle((joined, sink) -> {
                            int size = joined.readableByteCount();
                            if (size > maxBytes) {
                                DataBufferUtils.release(joined);
                                sink.error(tooLarge());
                                return;
                            }
                            byte[] bytes = new byte[size];
                            joined.read(bytes);
                            DataBufferUtils.release(joined);
                            sink.next(bytes);
                        })
                        .defaultIfEmpty(new byte[0])
                        .flatMap(bytes -> {
                            HttpHeaders copy = new HttpHeaders();
                            copy.putAll(getHeaders());
                            recorded = new Recorded(copy, bytes);
                            return recorded.writeTo(getDelegate());
                        });
            }

            private UnrepeatableBodyException tooLarge() {
                return new UnrepeatableBodyException("the body of " + call + " is over " + maxBytes + " bytes, too"
                        + " large to keep for a resend under the same idempotency key; raise maxBodyBytes of"
                        + " IdempotentExchangeFilter");
            }

            @Override
            public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
                return Mono.error(new UnrepeatableBodyException("the body of " + call + " is streamed, so it cannot"
                        + " be sent twice under the same idempotency key; send a value instead"));
            }

            @Override
            public Mono<Void> setComplete() {
                HttpHeaders copy = new HttpHeaders();
                copy.putAll(getHeaders());
                recorded = new Recorded(copy, null);
                return super.setComplete();
            }
        }
    }
}
