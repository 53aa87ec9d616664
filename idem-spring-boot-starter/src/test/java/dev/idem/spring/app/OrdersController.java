package dev.idem.spring.app;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

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
}
