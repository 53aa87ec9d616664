package dev.idem.spring.txapp.jdbc;

import dev.idem.spring.IdempotentRoute;
import dev.idem.spring.txapp.Gates;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Writes a note, then answers {@code status} (or throws when it is 0), after passing the gate named {@code hold}.
 * The body says whether the handler ran inside a transaction.
 */
@RestController
public class NotesController {

    public record Note(String text) {
    }

    private final NotesService notes;
    private final Gates gates;
    private final AtomicInteger executions = new AtomicInteger();

    public NotesController(NotesService notes, Gates gates) {
        this.notes = notes;
        this.gates = gates;
    }

    public int executions() {
        return executions.get();
    }

    @PostMapping("/tx/notes")   // transactional by idem.http.transactional-paths
    public ResponseEntity<Map<String, Object>> byPath(@RequestBody Note note,
            @RequestParam(defaultValue = "201") int status, @RequestParam(defaultValue = "") String hold)
            throws InterruptedException {
        return write(note, status, hold);
    }

    @PostMapping("/tx/two-phase-notes")
    @IdempotentRoute(commit = IdempotentRoute.Commit.TWO_PHASE)   // wins over the /tx/** pattern
    public ResponseEntity<Map<String, Object>> twoPhase(@RequestBody Note note) throws InterruptedException {
        return write(note, 201, "");
    }

    @PostMapping("/annotated/notes")
    @IdempotentRoute(commit = IdempotentRoute.Commit.TRANSACTIONAL)
    public ResponseEntity<Map<String, Object>> byAnnotation(@RequestBody Note note) throws InterruptedException {
        return write(note, 201, "");
    }

    private ResponseEntity<Map<String, Object>> write(Note note, int status, String hold) throws InterruptedException {
        executions.incrementAndGet();
        boolean inTransaction = TransactionSynchronizationManager.isActualTransactionActive();
        long id = notes.add(note.text());
        gates.pass(hold);
        if (status == 0) {
            throw new IllegalStateException("failed after writing note " + id);
        }
        return ResponseEntity.status(status).location(URI.create("/tx/notes/" + id))
                .body(Map.of("id", id, "inTransaction", inTransaction));
    }
}
