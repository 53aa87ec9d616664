package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.RecordId;
import dev.idem.spring.opsapp.OpsApplication;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The {@code idempotency} actuator endpoint through real HTTP, with Spring Security as Boot users set it up: an
 * operator reads counts, stuck records and one record; only an admin deletes, and the delete is logged with the
 * admin's name.
 */
@SpringBootTest(classes = OpsApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.autoconfigure.exclude=", "idem.store=memory",
            "management.endpoints.web.exposure.include=health,idempotency"})
@ExtendWith(OutputCaptureExtension.class)
class IdempotencyEndpointTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    Idempotency idempotency;
    @Autowired
    IdempotencyStore store;

    private HttpResponse<String> call(String method, String path, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String record(String scope, String action, String key) {
        return "/actuator/idempotency/record?scope=" + enc(scope) + "&action=" + enc(action) + "&key=" + enc(key);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String completed(String key) {
        idempotency.execute(IdempotencyRequest.builder("POST /api/orders").scope("alice").key(key)
                .payload("{\"sku\":1}".getBytes(StandardCharsets.UTF_8)).build(), String.class, () -> "order-1");
        return key;
    }

    @Test
    void anOperatorReadsOneRecordWithoutItsBody() throws Exception {
        String key = completed("k-" + UUID.randomUUID());
        HttpResponse<String> response = call("GET", record("alice", "POST /api/orders", key), "olga", "ops-password");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"COMPLETED\"").contains("\"key\":\"" + key + "\"")
                .contains("\"fingerprint\":\"").contains("\"createdAt\":\"").contains("\"expiresAt\":\"")
                .contains("\"size\":").doesNotContain("order-1").doesNotContain("\"body\"");

        assertThat(call("GET", record("alice", "POST /api/orders", "no-such-key"), "olga", "ops-password")
                .statusCode()).isEqualTo(404);
        assertThat(call("GET", record("bob", "POST /api/orders", key), "olga", "ops-password").statusCode())
                .as("another scope's record is another record").isEqualTo(404);
    }

    @Test
    void theSummaryCountsPerStatusAndListsStuckRecords() throws Exception {
        completed("k-" + UUID.randomUUID());
        Instant now = Instant.now();
        String stuckKey = "stuck-" + UUID.randomUUID();
        store.claim(new ClaimRequest(new RecordId("alice", "POST /api/orders", stuckKey),
                new Fingerprint("00".repeat(32)), now.minusSeconds(60), now.minusSeconds(30), now.plusSeconds(3600)));

        HttpResponse<String> summary = call("GET", "/actuator/idempotency", "olga", "ops-password");
        assertThat(summary.statusCode()).isEqualTo(200);
        assertThat(summary.body()).contains("\"store\":\"InMemoryIdempotencyStore\"")
                .containsPattern("\"COMPLETED\":[1-9]").containsPattern("\"IN_PROGRESS\":[1-9]")
                .contains("\"key\":\"" + stuckKey + "\"").contains("\"leaseExpired\":true");
    }

    @Test
    void onlyAnAdminDeletesAndTheDeleteIsLoggedWithTheAdminsName(CapturedOutput output) throws Exception {
        String key = completed("k-" + UUID.randomUUID());
        String path = record("alice", "POST /api/orders", key);

        assertThat(call("DELETE", path, null, null).statusCode()).isEqualTo(401);
        assertThat(call("DELETE", path, "olga", "ops-password").statusCode()).isEqualTo(403);
        assertThat(call("GET", path, "olga", "ops-password").statusCode()).as("still there").isEqualTo(200);

        HttpResponse<String> deleted = call("DELETE", path, "adam", "admin-password");
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.body()).contains("\"deleted\":true");
        assertThat(call("GET", path, "olga", "ops-password").statusCode()).isEqualTo(404);
        assertThat(call("DELETE", path, "adam", "admin-password").statusCode()).isEqualTo(404);
        assertThat(output.getOut() + output.getErr()).contains("WARN").contains("idempotency record deleted by adam")
                .contains("key=" + key);
    }

    @Test
    void nobodyReadsItAnonymously() throws Exception {
        assertThat(call("GET", "/actuator/idempotency", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aRecordsBodyIsShownOnlyWhenAllowed() {
        String key = completed("k-" + UUID.randomUUID());
        IdempotencyEndpoint withBody = new IdempotencyEndpoint(store, true, java.time.Clock.systemUTC());
        assertThat(withBody.record("record", "alice", "POST /api/orders", key)).containsEntry("body", "\"order-1\"");
        IdempotencyEndpoint withoutBody = new IdempotencyEndpoint(store, false, java.time.Clock.systemUTC());
        assertThat(withoutBody.record("record", "alice", "POST /api/orders", key)).doesNotContainKey("body");
        assertThat(Duration.ZERO).isZero();
    }
}
