package dev.idem.spring.app;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

// README "Spring Boot" example, verbatim from here ---
@RestController
public class OrdersController {

    public record PlaceOrder(String plan) {
    }

    public record Order(int orderId, String plan) {
    }

    private final AtomicInteger orders = new AtomicInteger();

    @PostMapping("/orders")   // protected: POST with an Idempotency-Key header
    public ResponseEntity<Order> place(@RequestBody PlaceOrder command) {
        Order order = new Order(orders.incrementAndGet(), command.plan());
        return ResponseEntity.created(URI.create("/orders/" + order.orderId())).body(order);
    }
    // --- end of README example

    public final AtomicInteger executions = new AtomicInteger();
    public final CountDownLatch slowStarted = new CountDownLatch(1);
    public final CountDownLatch releaseSlow = new CountDownLatch(1);

    public int ordersPlaced() {
        return orders.get();
    }

    @PostMapping("/declined")
    public ResponseEntity<String> declined() {
        executions.incrementAndGet();
        return ResponseEntity.status(422).body("{\"error\":\"card declined\"}");
    }

    @PostMapping("/gateway-down")
    public ResponseEntity<String> gatewayDown() {
        executions.incrementAndGet();
        return ResponseEntity.status(503).body("payment gateway down");
    }

    @PostMapping("/slow")
    public String slow() throws InterruptedException {
        executions.incrementAndGet();
        slowStarted.countDown();
        releaseSlow.await(30, TimeUnit.SECONDS);
        return "slow done";
    }

    @GetMapping("/orders")
    public int count() {
        return executions.incrementAndGet();
    }
}
