package dev.idem.client;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keyed calls with retries: the settings every adapter shares and the retry loop, blocking ({@link #execute}) or not
 * ({@link #executeAsync}). A call whose method is keyed (POST and PATCH by default) gets one idempotency key, a fresh
 * random one or the caller's own {@code Idempotency-Key}, and every attempt resends it unchanged; {@link RetryRules}
 * decides what is retried.
 *
 * <p>Waits honour {@code Retry-After} (seconds or an HTTP date); otherwise they grow exponentially from
 * {@code initialBackoff} up to {@code maxBackoff}, with equal jitter (half fixed, half random). A call makes at most
 * {@code maxAttempts} attempts, and none starts after {@code deadline} from the first: when the next wait would end
 * past it, the last answer goes to the caller (or the last failure is thrown). Each attempt's own timeouts are the
 * HTTP client's. Defaults suit a user-facing call: 3 attempts within 10 s, backoff from 200 ms to 2 s.
 *
 * <p>Immutable and thread-safe; one instance serves any number of calls and clients.
 */
public final class IdempotentCalls {

    /**
     * A finished call: the answer for the caller and how the call went.
     *
     * @param response the first answer that is not retried, or the last one
     * @param outcome  attempts, key, replayed
     */
    public record Result<R>(R response, CallOutcome outcome) {
    }

    /** Pauses the calling thread; a seam for tests. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Where an asynchronous call's next attempt runs after a wait; a seam for tests. */
    interface Delays {
        Executor after(Duration wait);
    }

    private final int maxAttempts;
    private final Duration deadline;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Set<String> methods;
    private final Supplier<String> keys;
    private final Consumer<CallOutcome> listener;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final Delays delays;
    private final DoubleSupplier random;
    private final Clock clock;

    private IdempotentCalls(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.deadline = b.deadline;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.methods = Set.copyOf(b.methods);
        this.keys = b.keys;
        this.listener = b.listener;
        this.nanoTime = b.nanoTime;
        this.sleeper = b.sleeper;
        this.delays = b.delays;
        this.random = b.random;
        this.clock = b.clock;
    }

    /** The defaults: 3 attempts within 10 s, backoff 200 ms to 2 s, POST and PATCH keyed, random UUID keys. */
    public static IdempotentCalls defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxAttempts = maxAttempts;
        b.deadline = deadline;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.methods = methods;
        b.keys = keys;
        b.listener = listener;
        b.nanoTime = nanoTime;
        b.sleeper = sleeper;
        b.delays = delays;
        b.random = random;
        b.clock = clock;
        return b;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration deadline() {
        return deadline;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** The keyed methods, upper case. */
    public Set<String> methods() {
        return methods;
    }

    /** Whether a request with {@code method} gets a key and retries; other requests pass through untouched. */
    public boolean keyed(String method) {
        return methods.contains(method.toUpperCase(Locale.ROOT));
    }

    /**
     * The key of a call: the caller's own when the request already has an {@code Idempotency-Key} header
     * ({@code existingHeader} not null), else a new one.
     *
     * @throws IllegalArgumentException when the caller's header holds no valid key
     */
    public String keyFor(String existingHeader) {
        return existingHeader != null ? IdempotencyKeys.fromHeaderValue(existingHeader) : keys.get();
    }

    /**
     * The wait before the next attempt, or empty when the call must end now: {@code attemptsSent} reached
     * {@code maxAttempts}, or the wait would end past the deadline.
     *
     * @param retryAfter the answer's {@code Retry-After} value, or null
     */
    public Optional<Duration> waitBeforeRetry(int attemptsSent, Duration elapsed, String retryAfter) {
        if (attemptsSent >= maxAttempts) {
            return Optional.empty();
        }
        Duration wait = RetryRules.retryAfter(retryAfter, clock.instant()).orElseGet(() -> backoff(attemptsSent));
        return elapsed.plus(wait).compareTo(deadline) > 0 ? Optional.empty() : Optional.of(wait);
    }

    /** Hands a finished call's outcome to the listener (a listener's exception is not the call's). */
    public void finished(CallOutcome outcome) {
        try {
            listener.accept(outcome);
        } catch (RuntimeException ignored) {
            // observing a call must not change its result
        }
    }

    /**
     * Runs one keyed call through {@code exchange}: sends, and resends with the same key while {@link RetryRules}
     * and the limits allow, and tells the listener how the call ended.
     *
     * @throws KeyReusedException when the server says the key belongs to another request
     * @throws IOException        the last attempt's failure when no attempt answered (earlier ones suppressed)
     */
    public <R> Result<R> execute(String method, String key, Exchange<R> exchange) throws IOException, InterruptedException {
        Call<R> call = new Call<>(method, key, exchange);
        while (true) {
            R response;
            try {
                response = exchange.send();
            } catch (IOException e) {
                sleeper.sleep(call.afterFailure(e));
                continue;
            }
            Duration wait = call.afterAnswer(response);
            if (wait == null) {
                return call.result(response);
            }
            sleeper.sleep(wait);
        }
    }

    /**
     * Like {@link #execute}, without blocking a thread: each attempt is {@link AsyncExchange#sendAsync}, and each wait
     * a delay before the next attempt starts. The future fails with {@link KeyReusedException}, or with the last
     * attempt's {@link IOException} when no attempt answered. Cancelling it starts no further attempt, and the listener
     * hears of the call as unanswered.
     */
    public <R> CompletableFuture<Result<R>> executeAsync(String method, String key, AsyncExchange<R> exchange) {
        CompletableFuture<Result<R>> result = new CompletableFuture<>();
        attemptAsync(new Call<>(method, key, exchange), exchange, result);
        return result;
    }

    private <R> void attemptAsync(Call<R> call, AsyncExchange<R> exchange, CompletableFuture<Result<R>> result) {
        if (result.isDone()) { // cancelled during the wait
            call.abandoned();
            return;
        }
        CompletableFuture<R> attempt;
        try {
            attempt = exchange.sendAsync();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        attempt.whenComplete((response, error) -> {
            if (result.isDone()) { // cancelled while the attempt ran: its answer is nobody's now
                if (response != null) {
                    exchange.discard(response);
                }
                call.abandoned();
                return;
            }
            try {
                Duration wait;
                if (error == null) {
                    wait = call.afterAnswer(response);
                    if (wait == null) {
                        result.complete(call.result(response));
                        return;
                    }
                } else if (unwrap(error) instanceof IOException e) {
                    wait = call.afterFailure(e);
                } else {
                    result.completeExceptionally(unwrap(error));
                    return;
                }
                delays.after(wait).execute(() -> attemptAsync(call, exchange, result));
            } catch (Throwable e) { // the call's end: KeyReusedException, or the last IOException
                result.completeExceptionally(e);
            }
        });
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /**
     * One keyed call's progress, shared by the blocking and the asynchronous loop: after each attempt it says how long
     * to wait before the next, or ends the call. Confined to one call (its attempts never overlap).
     */
    private final class Call<R> {
        private final String method;
        private final String key;
        private final Exchange<R> exchange;
        private final long start = nanoTime.getAsLong();
        private IOException failures;
        private int attempt = 1;

        Call(String method, String key, Exchange<R> exchange) {
            this.method = method;
            this.key = key;
            this.exchange = exchange;
        }

        /** After an attempt that got no answer: the wait before the next, or the failure thrown to end the call. */
        Duration afterFailure(IOException e) throws IOException {
            if (failures != null) {
                e.addSuppressed(failures);
            }
            failures = e;
            Optional<Duration> wait = RetryRules.retryable(e) && !exchange.cancelled()
                    ? waitBeforeRetry(attempt, elapsed(start), null) : Optional.empty();
            if (wait.isEmpty()) {
                finished(new CallOutcome(method, key, attempt, 0, false, elapsed(start)));
                throw e;
            }
            attempt++;
            return wait.get();
        }

        /**
         * After an answer: the wait before the next attempt (the answer discarded), or null when it is the call's
         * answer ({@link #result}).
         *
         * @throws KeyReusedException when the server says the key belongs to another request
         */
        Duration afterAnswer(R response) throws IOException {
            int status = exchange.status(response);
            Problem problem = RetryRules.needsProblem(status) ? Problem.parse(exchange.body(response)) : Problem.NONE;
            RetryRules.Verdict verdict = RetryRules.verdict(status, problem);
            if (verdict == RetryRules.Verdict.KEY_REUSED) {
                exchange.discard(response);
                finished(new CallOutcome(method, key, attempt, 0, false, elapsed(start)));
                throw new KeyReusedException(key, problem.detail());
            }
            if (verdict == RetryRules.Verdict.RETRY && !exchange.cancelled()) {
                Optional<Duration> wait = waitBeforeRetry(attempt, elapsed(start), exchange.header(response,
                        "Retry-After"));
                if (wait.isPresent()) {
                    exchange.discard(response);
                    attempt++;
                    return wait.get();
                }
            }
            return null;
        }

        /** The call's end when its caller gave up on it: the listener hears of it as unanswered. */
        void abandoned() {
            finished(new CallOutcome(method, key, attempt, 0, false, elapsed(start)));
        }

        /** The call's end with {@code response}, its answer; the listener is told. */
        Result<R> result(R response) {
            int status = exchange.status(response);
            boolean replayed = "true".equalsIgnoreCase(exchange.header(response, IdempotencyKeys.REPLAYED_HEADER));
            CallOutcome outcome = new CallOutcome(method, key, attempt, status, replayed, elapsed(start));
            finished(outcome);
            return new Result<>(response, outcome);
        }
    }

    private Duration elapsed(long start) {
        return Duration.ofNanos(nanoTime.getAsLong() - start);
    }

    /** The wait after the {@code n}-th attempt: exponential, capped, equal jitter. */
    private Duration backoff(int n) {
        double base = Math.min(maxBackoff.toNanos(), initialBackoff.toNanos() * Math.pow(2, n - 1));
        return Duration.ofNanos((long) (base / 2 + random.getAsDouble() * base / 2));
    }

    /** Builds {@link IdempotentCalls}; every setting is checked when set. Not thread-safe. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration deadline = Duration.ofSeconds(10);
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private Set<String> methods = Set.of("POST", "PATCH");
        private Supplier<String> keys = IdempotencyKeys::random;
        private Consumer<CallOutcome> listener = outcome -> { };
        private LongSupplier nanoTime = System::nanoTime;
        private Sleeper sleeper = duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        private Delays delays = wait -> CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS);
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Attempts per call, the first included: 1 (no retry) to 100. Default 3. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 100, not " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** No attempt starts later than this after the first. Positive. Default 10 s. */
        public Builder deadline(Duration deadline) {
            this.deadline = positive("deadline", deadline);
            return this;
        }

        /** The wait after the first attempt, before jitter. Positive, at most {@code maxBackoff}. Default 200 ms. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = positive("initialBackoff", initialBackoff);
            return this;
        }

        /** The longest wait without {@code Retry-After}, before jitter. Positive. Default 2 s. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = positive("maxBackoff", maxBackoff);
            return this;
        }

        /** The methods that get a key and retries. Default POST and PATCH. */
        public Builder methods(String... methods) {
            Set<String> upper = Stream.of(methods).map(m -> {
                if (m == null || !m.matches("[A-Za-z]+")) {
                    throw new IllegalArgumentException("not an HTTP method: " + m);
                }
                return m.toUpperCase(Locale.ROOT);
            }).collect(Collectors.toUnmodifiableSet());
            if (upper.isEmpty()) {
                throw new IllegalArgumentException("at least one method must be keyed");
            }
            this.methods = upper;
            return this;
        }

        /** Where new keys come from. Default {@link IdempotencyKeys#random()}. */
        public Builder keys(Supplier<String> keys) {
            this.keys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /** Told how every keyed call ended (attempts, replayed); must be thread-safe. Default: nobody. */
        public Builder listener(Consumer<CallOutcome> listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        Builder time(LongSupplier nanoTime, Sleeper sleeper, DoubleSupplier random, Clock clock) {
            this.nanoTime = nanoTime;
            this.sleeper = sleeper;
            this.delays = wait -> { // virtual time: the sleeper records the wait, the next attempt runs at once
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Runnable::run;
            };
            this.random = random;
            this.clock = clock;
            return this;
        }

        /** @throws IllegalArgumentException when {@code initialBackoff} exceeds {@code maxBackoff} */
        public IdempotentCalls build() {
            if (initialBackoff.compareTo(maxBackoff) > 0) {
                throw new IllegalArgumentException("initialBackoff (" + initialBackoff + ") exceeds maxBackoff ("
                        + maxBackoff + ")");
            }
            return new IdempotentCalls(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + value);
            }
            return value;
        }
    }
}
