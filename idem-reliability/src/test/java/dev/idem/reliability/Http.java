package dev.idem.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A small HTTP/1.1 client for the tests: JSON in, status, headers and body out. Thread-safe. */
final class Http {

    /** A response: status, the headers the tests read (lower-case names), and the body. */
    record Reply(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase());
        }

        boolean replayed() {
            return "true".equals(header("Idempotent-Replayed"));
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Threads for requests that block (held or killed mid-action) while the test goes on. */
    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "background-request");
        thread.setDaemon(true);
        return thread;
    });

    private Http() {
    }

    /** {@link #post} on a background thread; the future fails with the IOException if the connection drops. */
    static CompletableFuture<Reply> postAsync(URI uri, String token, String key, String json) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return post(uri, token, key, json);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, BACKGROUND);
    }

    static Reply post(URI uri, String token, String key, String json) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return send(request.build());
    }

    static Reply get(URI uri, String token) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    /** A reply after retries, and how many 409s and 503s (or dropped connections) the retries went through. */
    record Settled(Reply reply, int conflicts, int unavailable) {
    }

    /**
     * Posts, and posts again (as a client that follows {@code Retry-After}) while the answer is 409 "in progress",
     * 503 or a dropped connection, until {@code within} has passed.
     */
    static Settled postUntilSettled(URI uri, String token, String key, String json, Duration within)
            throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        int conflicts = 0;
        int unavailable = 0;
        while (true) {
            Reply reply;
            try {
                reply = post(uri, token, key, json);
            } catch (IOException e) {
                reply = null;
            }
            if (reply != null && reply.status() != 409 && reply.status() != 503) {
                return new Settled(reply, conflicts, unavailable);
            }
            if (reply != null && reply.status() == 409) {
                conflicts++;
            } else {
                unavailable++;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("key " + key + " did not settle within " + within + "; last reply: "
                        + (reply == null ? "connection failed" : reply.status() + " " + reply.body()));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // client back-off, not synchronisation
        }
    }

    /**
     * Posts as a careful client does: the same key on every attempt, again after a dropped or refused connection, a
     * 409 or any 5xx, waiting what {@code Retry-After} says (else 200 ms), until {@code within} has passed.
     *
     * @return the first answer that is none of those, and how many attempts it took
     */
    static Attempts postRetrying(URI uri, String token, String key, String json, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        for (int attempt = 1; ; attempt++) {
            Reply reply;
            try {
                reply = post(uri, token, key, json);
            } catch (IOException e) {
                reply = null;
            }
            if (reply != null && reply.status() != 409 && reply.status() < 500) {
                return new Attempts(reply, attempt);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("key " + key + " got no answer within " + within + "; last: "
                        + (reply == null ? "connection failed" : reply.status() + " " + reply.body()));
            }
            long waitMillis = 200;
            String retryAfter = reply == null ? null : reply.header("Retry-After");
            if (retryAfter != null && retryAfter.matches("\\d+")) {
                waitMillis = Math.min(2_000, Long.parseLong(retryAfter) * 1000);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(waitMillis * 1_000_000L); // back-off, not synchronisation
        }
    }

    /** A final answer and the attempts it took. */
    record Attempts(Reply reply, int attempts) {
    }

    static Reply send(HttpRequest request) throws IOException {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            Map<String, String> headers = new TreeMap<>();
            response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            return new Reply(response.statusCode(), headers, response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
