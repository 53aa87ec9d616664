package dev.idem.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 server on a loopback port for client tests: answers come from a script, queued in order, and every
 * request (method, path, headers, body) is recorded. When the script is empty it answers 201 with the request's
 * body. An answer can also close the connection without answering, or wait for a latch first (a slow server).
 * Thread-safe.
 */
public final class ScriptedHttpServer implements AutoCloseable {

    /** A recorded request. Header names are lower case. */
    public record Received(String method, String path, Map<String, List<String>> headers, String body) {

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** One scripted answer. */
    public record Answer(int status, Map<String, String> headers, String body, CountDownLatch waitFor,
                         boolean closesConnection) {

        public static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body, null, false);
        }

        public static Answer of(int status, Map<String, String> headers, String body) {
            return new Answer(status, Map.copyOf(headers), body, null, false);
        }

        /** A problem+json answer of type {@code https://idem.dev/problems/<type>}. */
        public static Answer problem(int status, String type, String detail) {
            return of(status, Map.of("Content-Type", "application/problem+json"),
                    "{\"type\":\"https://idem.dev/problems/" + type + "\",\"title\":\"" + type + "\",\"status\":"
                            + status + ",\"detail\":\"" + detail + "\"}");
        }

        /** Closes the connection without answering. */
        public static Answer hangUp() {
            return new Answer(0, Map.of(), "", null, true);
        }

        /** This answer, sent only once {@code latch} is released (or after 30 s). */
        public Answer after(CountDownLatch latch) {
            return new Answer(status, headers, body, latch, closesConnection);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-http");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

    private ScriptedHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public static ScriptedHttpServer start() {
        try {
            return new ScriptedHttpServer();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the scripted server", e);
        }
    }

    /** Queues answers, in order, for the next requests. */
    public ScriptedHttpServer then(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** {@code http://127.0.0.1:port} plus {@code path}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The requests received so far, in order. */
    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new java.util.TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(java.util.Locale.ROOT), List.copyOf(values)));
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                Collections.unmodifiableMap(headers), body));
        Answer answer = script.poll();
        if (answer == null) {
            answer = Answer.of(201, Map.of("Content-Type", "application/json"), body);
        }
        try {
            if (answer.waitFor() != null) {
                answer.waitFor().await(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (answer.closesConnection()) {
            exchange.close();
            return;
        }
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        byte[] bytes = answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
