package dev.idem.spring.txapp.jpa;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Saves a ticket through the JPA repository (or a row through JdbcClient), then answers {@code status}. */
@RestController
public class TicketController {

    public record TicketRequest(String title) {
    }

    private final TicketRepository tickets;
    private final JdbcClient jdbc;
    private final AtomicInteger executions = new AtomicInteger();

    public TicketController(TicketRepository tickets, JdbcClient jdbc) {
        this.tickets = tickets;
        this.jdbc = jdbc;
    }

    public int executions() {
        return executions.get();
    }

    @PostMapping("/jpa/tickets")
    public ResponseEntity<Map<String, Object>> open(@RequestBody TicketRequest request,
                                                    @RequestParam(defaultValue = "201") int status) {
        executions.incrementAndGet();
        Ticket ticket = tickets.save(new Ticket(request.title()));
        return ResponseEntity.status(status).location(URI.create("/jpa/tickets/" + ticket.getId()))
                .body(Map.of("id", ticket.getId().toString(), "title", ticket.getTitle()));
    }

    /** The same table written with JdbcClient, under the JPA transaction manager. */
    @PostMapping("/jpa/jdbc-tickets")
    public ResponseEntity<Map<String, Object>> openWithJdbc(@RequestBody TicketRequest request) {
        executions.incrementAndGet();
        Ticket ticket = new Ticket(request.title());
        jdbc.sql("INSERT INTO idem_test_tickets (id, title) VALUES (:id, :title)")
                .param("id", ticket.getId()).param("title", ticket.getTitle()).update();
        return ResponseEntity.status(201).body(Map.of("id", ticket.getId().toString()));
    }
}
