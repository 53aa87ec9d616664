package dev.idem.spring.txapp.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/**
 * A JPA entity with an id assigned in Java, so Hibernate holds its INSERT back until the flush: the transactional
 * route must flush before it completes the record.
 */
@Entity
@Table(name = "idem_test_tickets")
public class Ticket {

    @Id
    private UUID id;
    private String title;

    protected Ticket() {
    }

    public Ticket(String title) {
        this.id = UUID.randomUUID();
        this.title = title;
    }

    public UUID getId() {
        return id;
    }

    public String getTitle() {
        return title;
    }
}
