package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.jackson.JacksonResultCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Runs the README's quick start as written, so the README cannot drift from the code. */
class ReadmeExampleTest {

    record StartedSession(String sessionId, List<String> questionIds) {
    }

    private final AtomicInteger sessionsStarted = new AtomicInteger();

    private StartedSession startPracticeSession(String userId, int questionCount) {
        sessionsStarted.incrementAndGet();
        return new StartedSession(UUID.randomUUID().toString(), List.of("q1", "q2"));
    }

    @Test
    void theQuickStartRunsTheActionOnceAndReplaysItsResult() {
        DataSource dataSource = PostgresFixture.dataSource();
        String userId = "alice";
        String idempotencyKey = UUID.randomUUID().toString();
        byte[] requestBody = "{\"questionCount\":10}".getBytes(StandardCharsets.UTF_8);

        // --- README quick start, verbatim ---
        PostgresSchema.create(dataSource);                          // or Flyway: classpath:db/idem
        PostgresIdempotencyStore store = PostgresIdempotencyStore.create(dataSource);
        Idempotency idem = Idempotency.builder(store).codec(JacksonResultCodec.create()).build();

        IdempotencyRequest request = IdempotencyRequest.builder("practice.start")
                .scope(userId).key(idempotencyKey).payload(requestBody).build();
        StartedSession first = idem.execute(request, StartedSession.class,
                () -> startPracticeSession(userId, 10));
        StartedSession retry = idem.execute(request, StartedSession.class,
                () -> startPracticeSession(userId, 10));        // not run again: replayed
        // --- end of quick start ---

        assertThat(retry).isEqualTo(first);
        assertThat(sessionsStarted.get()).isEqualTo(1);
        idem.close();
        store.close();
    }
}
