package dev.idem.client.okhttp;

import dev.idem.client.Exchange;
import dev.idem.client.IdempotencyKeys;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.UnrepeatableBodyException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * An OkHttp <em>application</em> interceptor ({@code OkHttpClient.Builder.addInterceptor}) that makes each keyed
 * call (POST and PATCH by default) one logical call: the caller's {@code Idempotency-Key} or a new one, resent
 * unchanged on every retry under {@link IdempotentCalls}' rules. Other requests pass through untouched.
 *
 * <p>A one-shot or duplex {@link RequestBody} is refused with {@link UnrepeatableBodyException} before anything is
 * sent. A retried answer is closed before the next attempt; a 409 or 422 is read through
 * {@link Response#peekBody}, so the caller still gets its body. OkHttp's {@code callTimeout} spans the whole call,
 * retries and waits included; {@code readTimeout} and the like bound each attempt. A cancelled call is not retried.
 * The outcome of each call goes to the {@link IdempotentCalls} listener. Thread-safe.
 */
public final class IdempotentOkHttpInterceptor implements Interceptor {

    /** The most of a 409 or 422 body read to decide on it. */
    private static final long PROBLEM_BYTES = 64 * 1024;

    private final IdempotentCalls calls;

    /** With the default settings ({@link IdempotentCalls#defaults()}). */
    public IdempotentOkHttpInterceptor() {
        this(IdempotentCalls.defaults());
    }

    public IdempotentOkHttpInterceptor(IdempotentCalls calls) {
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (!calls.keyed(request.method())) {
            return chain.proceed(request);
        }
        RequestBody body = request.body();
        if (body != null && (body.isOneShot() || body.isDuplex())) {
            throw new UnrepeatableBodyException("the body of " + request.method() + " " + request.url()
                    + " is one-shot, so it cannot be sent twice under the same idempotency key; use a RequestBody"
                    + " made from a String, bytes or a file");
        }
        String existing = request.header(IdempotencyKeys.HEADER);
        String key = calls.keyFor(existing);
        Request keyed = existing != null ? request
                : request.newBuilder().header(IdempotencyKeys.HEADER, IdempotencyKeys.headerValue(key)).build();
        try {
            return calls.execute(request.method(), key, new OkHttpExchange(chain, keyed)).response();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting to retry");
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    private record OkHttpExchange(Chain chain, Request request) implements Exchange<Response> {

        @Override
        public Response send() throws IOException {
            return chain.proceed(request);
        }

        @Override
        public int status(Response response) {
            return response.code();
        }

        @Override
        public String header(Response response, String name) {
            return response.header(name);
        }

        @Override
        public byte[] body(Response response) throws IOException {
            return response.peekBody(PROBLEM_BYTES).bytes();
        }

        @Override
        public void discard(Response response) {
            response.close();
        }

        @Override
        public boolean cancelled() {
            return chain.call().isCanceled();
        }
    }
}
