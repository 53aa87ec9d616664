package dev.idem.spring.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The endpoints the tests need beyond the README's {@link OrdersController}: deterministic and transient
 * failures, a request that runs until the test lets it finish, headers that are and are not replayed.
 */
@RestController
public class TestEndpoints {

    /** A request held open until the test opens it, and a signal that it started. */
    public static final class Gate {
        public final CountDownLatch started = new CountDownLatch(1);
        public final CountDownLatch release = new CountDownLatch(1);
    }

    private final AtomicInteger executions = new AtomicInteger();
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    /** How many times any endpoint here really ran. */
    public int executions() {
        return executions.get();
    }

    public Gate gate(String name) {
        return gates.computeIfAbsent(name, n -> new Gate());
    }

    /** A deterministic business error: stored and replayed. */
    @PostMapping("/declined")
    public ResponseEntity<String> declined() {
        executions.incrementAndGet();
        return ResponseEntity.status(422).header("Content-Type", "application/json")
                .body("{\"error\":\"card declined\"}");
    }

    /** A transient failure: the key is released and a retry runs again. */
    @PostMapping("/gateway-down")
    public ResponseEntity<String> gatewayDown() {
        executions.incrementAndGet();
        return ResponseEntity.status(503).body("payment gateway down");
    }

    /** Runs until the test releases {@code gate(name)}. */
    @PostMapping("/slow/{name}")
    public String slow(@PathVariable String name) throws InterruptedException {
        executions.incrementAndGet();
        Gate gate = gate(name);
        gate.started.countDown();
        gate.release.await(30, TimeUnit.SECONDS);
        return "slow done";
    }

    /** Sends an allow-listed header (ETag) and one that is not (X-Trace-Id, different on every run). */
    @PostMapping("/tagged")
    public ResponseEntity<String> tagged(@RequestBody String body) {
        int n = executions.incrementAndGet();
        return ResponseEntity.ok().eTag("\"v" + n + "\"").header("X-Trace-Id", "trace-" + n)
                .header("Content-Type", "text/plain;charset=UTF-8").body("tagged " + body);
    }

    /** Counts its runs; for the outage test. */
    @PostMapping("/count")
    public int count() {
        return executions.incrementAndGet();
    }

    /** A GET: never protected, runs every time. */
    @GetMapping("/count")
    public int countGet() {
        return executions.incrementAndGet();
    }
}
