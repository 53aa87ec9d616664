package dev.idem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The retry loop on virtual time: every wait is recorded and advances the clock instead of sleeping. */
class IdempotentCallsTest {

    /** A scripted answer, or a failure when {@code failure} is set. */
    private record Answer(int status, Map<String, String> headers, String body, IOException failure) {
        static Answer of(int status) {
            return new Answer(status, Map.of(), "", null);
        }

        static Answer problem(int status, String type) {
            return new Answer(status, Map.of(), "{\"type\":\"https://idem.dev/problems/" + type
                    + "\",\"detail\":\"said the server\"}", null);
        }

        static Answer failing(IOException failure) {
            return new Answer(0, Map.of(), "", failure);
        }

        Answer header(String name, String value) {
            return new Answer(status, Map.of(name, value), body, failure);
        }
    }

    private final List<Duration> waits = new ArrayList<>();
    private final List<CallOutcome> outcomes = new CopyOnWriteArrayList<>();
    private long now;

    private IdempotentCalls.Builder calls() {
        return IdempotentCalls.builder().listener(outcomes::add).time(() -> now, d -> {
            waits.add(d);
            now += d.toNanos();
        }, () -> 0.5, Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC));
    }

    /** Answers from a script and counts discarded answers. */
    private class Scripted implements Exchange<Answer> {
        final Deque<Answer> script;
        int sent;
        int discarded;

        Scripted(Answer... answers) {
            this.script = new ArrayDeque<>(List.of(answers));
        }

        @Override
        public Answer send() throws IOException {
            sent++;
            Answer next = script.isEmpty() ? Answer.of(201) : script.poll();
            if (next.failure() != null) {
                throw next.failure();
            }
            return next;
        }

        @Override
        public int status(Answer response) {
            return response.status();
        }

        @Override
        public String header(Answer response, String name) {
            return response.headers().get(name);
        }

        @Override
        public byte[] body(Answer response) {
            return response.body().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void discard(Answer response) {
            discarded++;
        }
    }

    @Test
    void retryableAnswersAreRetriedUntilOneIsNotAndTheListenerHearsHowItWent() throws Exception {
        Scripted exchange = new Scripted(Answer.of(503), Answer.of(502), Answer.of(201).header("Idempotent-Replayed",
                "true"));
        IdempotentCalls.Result<Answer> result = calls().build().execute("POST", "k1", exchange);

        assertThat(result.response().status()).isEqualTo(201);
        assertThat(exchange.sent).isEqualTo(3);
        assertThat(exchange.discarded).as("the two retried answers are freed").isEqualTo(2);
        assertThat(result.outcome()).isEqualTo(new CallOutcome("POST", "k1", 3, 201, true, Duration.ofMillis(450)));
        assertThat(outcomes).containsExactly(result.outcome());
    }

    @Test
    void backoffGrowsExponentiallyWithEqualJitterAndStopsAtMaxBackoff() throws Exception {
        IdempotentCalls calls = calls().maxAttempts(6).deadline(Duration.ofMinutes(1))
                .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(500)).build();
        calls.execute("POST", "k", new Scripted(Answer.of(500), Answer.of(500), Answer.of(500), Answer.of(500),
                Answer.of(500), Answer.of(500)));
        // base 100, 200, 400, 500, 500; equal jitter with random 0.5 gives three quarters of each
        assertThat(waits).containsExactly(Duration.ofMillis(75), Duration.ofMillis(150), Duration.ofMillis(300),
                Duration.ofMillis(375), Duration.ofMillis(375));
    }

    @Test
    void jitterStaysBetweenHalfAndAllOfTheBase() throws Exception {
        for (double r : new double[] {0.0, 0.999}) {
            waits.clear();
            IdempotentCalls calls = calls().time(() -> now, d -> waits.add(d), () -> r, Clock.systemUTC())
                    .initialBackoff(Duration.ofMillis(200)).build();
            calls.execute("POST", "k", new Scripted(Answer.of(503), Answer.of(201)));
            assertThat(waits.get(0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        }
    }

    @Test
    void afterTheLastAttemptTheLastAnswerGoesToTheCaller() throws Exception {
        Scripted exchange = new Scripted(Answer.of(503), Answer.of(503), Answer.of(504), Answer.of(201));
        IdempotentCalls.Result<Answer> result = calls().build().execute("POST", "k", exchange);
        assertThat(result.response().status()).isEqualTo(504);
        assertThat(exchange.sent).as("the default is 3 attempts").isEqualTo(3);
        assertThat(result.outcome().attempts()).isEqualTo(3);
        assertThat(exchange.discarded).as("the answer handed over is not freed").isEqualTo(2);
    }

    @Test
    void retryAfterIsHonouredInSecondsAndAsADate() throws Exception {
        calls().build().execute("POST", "k", new Scripted(Answer.of(429).header("Retry-After", "2"),
                Answer.of(503).header("Retry-After", "Wed, 02 Dec 2026 10:00:04 GMT"), Answer.of(201)));
        assertThat(waits).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void noWaitEndsPastTheDeadline() throws Exception {
        Scripted exchange = new Scripted(Answer.of(503).header("Retry-After", "11"), Answer.of(201));
        IdempotentCalls.Result<Answer> result = calls().build().execute("POST", "k", exchange);
        assertThat(result.response().status()).as("a Retry-After beyond the 10 s deadline ends the call")
                .isEqualTo(503);
        assertThat(exchange.sent).isEqualTo(1);
        assertThat(waits).isEmpty();

        waits.clear();
        Scripted slow = new Scripted(Answer.of(503).header("Retry-After", "6"), Answer.of(503).header("Retry-After",
                "6"), Answer.of(201));
        assertThat(calls().build().execute("POST", "k", slow).response().status()).isEqualTo(503);
        assertThat(waits).as("6 s fits in 10 s, 12 s does not").containsExactly(Duration.ofSeconds(6));
    }

    @Test
    void aRequestStillInProgressIsRetriedAndAnyOther409Answered() throws Exception {
        Scripted inProgress = new Scripted(Answer.problem(409, "request-in-progress").header("Retry-After", "1"),
                Answer.of(201));
        assertThat(calls().build().execute("POST", "k", inProgress).response().status()).isEqualTo(201);
        assertThat(inProgress.sent).isEqualTo(2);

        Scripted conflict = new Scripted(Answer.problem(409, "checkout-open"), Answer.of(201));
        assertThat(calls().build().execute("POST", "k", conflict).response().status()).isEqualTo(409);
        assertThat(conflict.sent).isEqualTo(1);
    }

    @Test
    void aReusedKeyIsATypedErrorNamingTheKey() {
        Scripted exchange = new Scripted(Answer.problem(422, "key-reused"));
        assertThatThrownBy(() -> calls().build().execute("POST", "key-42", exchange))
                .isInstanceOfSatisfying(KeyReusedException.class, e -> {
                    assertThat(e.key()).isEqualTo("key-42");
                    assertThat(e.detail()).isEqualTo("said the server");
                    assertThat(e).hasMessageContaining("key-42").hasMessageContaining("said the server");
                });
        assertThat(exchange.sent).isEqualTo(1);
        assertThat(exchange.discarded).isEqualTo(1);
        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.answered()).isFalse());
    }

    @Test
    void networkFailuresAreRetriedAndTheLastIsThrownWithTheEarlierOnesSuppressed() {
        SocketException first = new SocketException("Connection reset");
        SocketException second = new SocketException("Broken pipe");
        SocketException third = new SocketException("Connection refused");
        Scripted exchange = new Scripted(Answer.failing(first), Answer.failing(second), Answer.failing(third));
        assertThatThrownBy(() -> calls().build().execute("POST", "k", exchange)).isSameAs(third)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(second))
                .satisfies(e -> assertThat(e.getSuppressed()[0].getSuppressed()).containsExactly(first));
        assertThat(exchange.sent).isEqualTo(3);
        assertThat(outcomes).singleElement().isEqualTo(new CallOutcome("POST", "k", 3, 0, false,
                Duration.ofMillis(450)));
    }

    @Test
    void aFailureThatCannotBeTransientIsNotRetried() {
        Scripted exchange = new Scripted(Answer.failing(new UnknownHostException("nowhere")), Answer.of(201));
        assertThatThrownBy(() -> calls().build().execute("POST", "k", exchange))
                .isInstanceOf(UnknownHostException.class);
        assertThat(exchange.sent).isEqualTo(1);
    }

    @Test
    void aCancelledCallStopsRetrying() throws Exception {
        Scripted exchange = new Scripted(Answer.of(503), Answer.of(201)) {
            @Override
            public boolean cancelled() {
                return true;
            }
        };
        assertThat(calls().build().execute("POST", "k", exchange).response().status()).isEqualTo(503);
        assertThat(exchange.sent).isEqualTo(1);
    }

    @Test
    void aThrowingListenerDoesNotChangeTheCall() throws Exception {
        IdempotentCalls calls = calls().listener(o -> {
            throw new IllegalStateException("listener bug");
        }).build();
        assertThat(calls.execute("POST", "k", new Scripted(Answer.of(201))).response().status()).isEqualTo(201);
    }

    @Test
    void keysAreTheCallersOwnOrNewAndOnlyConfiguredMethodsAreKeyed() {
        IdempotentCalls calls = calls().keys(() -> "generated").methods("post", "PUT").build();
        assertThat(calls.keyFor(null)).isEqualTo("generated");
        assertThat(calls.keyFor("\"mine\"")).isEqualTo("mine");
        assertThat(calls.keyed("POST")).isTrue();
        assertThat(calls.keyed("put")).isTrue();
        assertThat(calls.keyed("PATCH")).isFalse();
        assertThat(IdempotentCalls.defaults().methods()).containsExactlyInAnyOrder("POST", "PATCH");
        assertThatThrownBy(() -> calls.keyFor("\"\"")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsAreValidatedWithTheSettingsName() {
        assertThatThrownBy(() -> IdempotentCalls.builder().maxAttempts(0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> IdempotentCalls.builder().maxAttempts(101)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> IdempotentCalls.builder().deadline(Duration.ZERO)).hasMessageContaining("deadline");
        assertThatThrownBy(() -> IdempotentCalls.builder().initialBackoff(Duration.ofMillis(-1)))
                .hasMessageContaining("initialBackoff");
        assertThatThrownBy(() -> IdempotentCalls.builder().maxBackoff(null)).hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> IdempotentCalls.builder().initialBackoff(Duration.ofSeconds(3)).build())
                .hasMessageContaining("exceeds maxBackoff");
        assertThatThrownBy(() -> IdempotentCalls.builder().methods()).hasMessageContaining("at least one");
        assertThatThrownBy(() -> IdempotentCalls.builder().methods("PO ST")).hasMessageContaining("PO ST");
        IdempotentCalls defaults = IdempotentCalls.defaults();
        assertThat(defaults.maxAttempts()).isEqualTo(3);
        assertThat(defaults.deadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.initialBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(defaults.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
    }

    /** {@link Scripted} without blocking: each attempt's future is already done, unless the test holds it. */
    private class AsyncScripted extends Scripted implements AsyncExchange<Answer> {
        CompletableFuture<Answer> held;

        AsyncScripted(Answer... answers) {
            super(answers);
        }

        @Override
        public CompletableFuture<Answer> sendAsync() {
            if (held != null) {
                sent++;
                return held;
            }
            try {
                return CompletableFuture.completedFuture(send());
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    @Test
    void theAsynchronousLoopRetriesAsTheBlockingOneDoes() throws Exception {
        AsyncScripted exchange = new AsyncScripted(Answer.of(503), Answer.of(502),
                Answer.of(201).header("Idempotent-Replayed", "true"));
        IdempotentCalls.Result<Answer> result = calls().build().executeAsync("POST", "k1", exchange)
                .get(10, TimeUnit.SECONDS);

        assertThat(result.response().status()).isEqualTo(201);
        assertThat(exchange.sent).isEqualTo(3);
        assertThat(exchange.discarded).isEqualTo(2);
        assertThat(waits).containsExactly(Duration.ofMillis(150), Duration.ofMillis(300));
        assertThat(result.outcome()).isEqualTo(new CallOutcome("POST", "k1", 3, 201, true, Duration.ofMillis(450)));
        assertThat(outcomes).containsExactly(result.outcome());
    }

    @Test
    void theAsynchronousLoopFailsWithTheLastFailureOrAReusedKey() {
        SocketException first = new SocketException("Connection reset");
        SocketException last = new SocketException("Connection refused");
        AsyncScripted failing = new AsyncScripted(Answer.failing(first), Answer.failing(new SocketException("x")),
                Answer.failing(last));
        assertThat(calls().build().executeAsync("POST", "k", failing)).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class).havingCause().isSameAs(last);
        assertThat(failing.sent).isEqualTo(3);

        AsyncScripted reused = new AsyncScripted(Answer.problem(422, "key-reused"));
        assertThat(calls().build().executeAsync("POST", "key-42", reused)).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOfSatisfying(KeyReusedException.class, e -> assertThat(e.key()).isEqualTo("key-42"));
    }

    @Test
    void cancellingAnAsynchronousCallStartsNoFurtherAttemptAndTheListenerHearsOfIt() {
        AsyncScripted exchange = new AsyncScripted(Answer.of(201));
        exchange.held = new CompletableFuture<>();
        CompletableFuture<IdempotentCalls.Result<Answer>> call = calls().build().executeAsync("POST", "k", exchange);

        call.cancel(false);
        exchange.held.complete(Answer.of(503)); // a retryable answer after the caller gave up

        assertThat(exchange.sent).as("attempts").isEqualTo(1);
        assertThat(exchange.discarded).as("the late answer is freed").isEqualTo(1);
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.attempts()).isEqualTo(1);
            assertThat(o.answered()).isFalse();
        });
    }

    @Test
    void anAttemptThatCannotStartFailsTheAsynchronousCall() {
        AsyncScripted exchange = new AsyncScripted() {
            @Override
            public CompletableFuture<Answer> sendAsync() {
                throw new IllegalStateException("client closed");
            }
        };
        assertThat(calls().build().executeAsync("POST", "k", exchange)).isCompletedExceptionally()
                .failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class).havingCause()
                .withMessage("client closed");
    }
}
