package dev.idem.spring.txapp.jpa;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

public interface TicketRepository extends JpaRepository<Ticket, UUID> {

    long countByTitle(String title);
}
