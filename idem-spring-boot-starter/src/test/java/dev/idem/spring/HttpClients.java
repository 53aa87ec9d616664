package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

/** One request API over MockMvc and over a real server, so that every HTTP test runs through both. */
final class HttpClients {

    private HttpClients() {
    }

    /** How a test reaches the application. */
    enum Transport {
        /** Spring's MockMvc: the filter chain and DispatcherServlet in the test's thread. */
        MOCK_MVC,
        /** The embedded server on its random port, through java.net.http. */
        SERVER
    }

    /** A response, with header names case-insensitive. */
    record Reply(int status, Map<String, List<String>> headers, String body) {

        Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        boolean replayed() {
            return header("Idempotent-Replayed").filter("true"::equals).isPresent();
        }

        /** Asserts an RFC 9457 problem of Idem's {@code type}, without internals in the body. */
        Reply assertProblem(int expectedStatus, String type) {
            assertThat(status).as(body).isEqualTo(expectedStatus);
            assertThat(header("Content-Type").orElseThrow()).startsWith("application/problem+json");
            assertThat(body).contains("\"type\":\"https://idem.dev/problems/" + type + "\"")
                    .doesNotContain("Exception", "\tat ");
            return this;
        }
    }

    /** Sends requests one way. */
    interface Client {
        Reply send(String method, String path, String key, String body) throws Exception;

        default Reply post(String path, String key, String body) throws Exception {
            return send("POST", path, key, body);
        }
    }

    static Client client(Transport transport, MockMvc mvc, int port) {
        return transport == Transport.MOCK_MVC ? mockMvc(mvc, null) : server(port);
    }

    /** MockMvc, as {@code principal} when not null. */
    static Client mockMvc(MockMvc mvc, Principal principal) {
        return (method, path, key, body) -> {
            MockHttpServletRequestBuilder request = MockMvcRequestBuilders.request(HttpMethod.valueOf(method), path)
                    .contentType("application/json").content(body == null ? "" : body);
            if (key != null) {
                request.header("Idempotency-Key", key);
            }
            if (principal != null) {
                request.principal(principal);
            }
            MockHttpServletResponse response = mvc.perform(request).andReturn().getResponse();
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String name : response.getHeaderNames()) {
                headers.put(name, response.getHeaders(name));
            }
            return new Reply(response.getStatus(), headers, response.getContentAsString(StandardCharsets.UTF_8));
        };
    }

    static Client server(int port) {
        HttpClient http = HttpClient.newHttpClient();
        return (method, path, key, body) -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (key != null) {
                request.header("Idempotency-Key", key);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(response.headers().map());
            return new Reply(response.statusCode(), headers, response.body());
        };
    }

    /**
     * Sends the same request from {@code callers} threads at once and asserts that every one got {@code status} and
     * the same body; returns that body.
     */
    static String sameAnswerFromConcurrentCallers(int callers, java.util.concurrent.Callable<Reply> request,
                                                  int status) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
        try {
            List<java.util.concurrent.Future<Reply>> replies = new java.util.ArrayList<>();
            for (int i = 0; i < callers; i++) {
                replies.add(pool.submit(request));
            }
            List<String> bodies = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Reply> reply : replies) {
                Reply r = reply.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.status()).as(r.body()).isEqualTo(status);
                bodies.add(r.body());
            }
            assertThat(bodies).containsOnly(bodies.get(0));
            return bodies.get(0);
        } finally {
            pool.shutdownNow();
        }
    }
}
