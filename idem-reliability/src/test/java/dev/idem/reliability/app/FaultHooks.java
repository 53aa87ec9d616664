package dev.idem.reliability.app;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyContext;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.IdempotentOutcome;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.TransactionalIdempotency;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spring.IdempotentRoute;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Test-only endpoints, added to the reference app by {@link FaultInjectingApp} and never part of it:
 * <ul>
 *   <li>{@code POST /api/effects} {@code {"label"}}: an action protected by Idem's filter like every {@code /api}
 *       POST. It records that it started ({@code fault_invocations}), passes an armed hold, then writes its effect
 *       ({@code fault_effects}) under the request's derived key, so a re-run after a lost completion writes
 *       nothing twice, and answers 201 with the effect and the instance that ran this invocation.</li>
 *   <li>{@code POST /api/tx-effects}: an effect on a route the starter runs in transactional mode
 *       ({@link IdempotentRoute}), held at a chosen step (this and {@code /tx/effects} only on the PostgreSQL
 *       store).</li>
 *   <li>{@code POST /tx/effects} with {@code Idempotency-Key}: the same action in transactional mode
 *       ({@link TransactionalIdempotency}): claim, invocation, effect and record commit together or not at all.</li>
 *   <li>{@code POST /test-hooks/holds?count=n}, {@code POST /test-hooks/holds/release}, {@code GET /test-hooks/holds}:
 *       arm, release and count holds.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class FaultHooks {

    /** The body of the effect routes. */
    public record EffectRequest(String label) {
    }

    @Bean
    Holds holds() {
        return new Holds();
    }

    @Bean
    @ConditionalOnProperty(name = "idem.store", havingValue = "postgres", matchIfMissing = true)
    TransactionalIdempotency transactionalIdempotency(Idempotency idempotency, IdempotencyStore store) {
        return new TransactionalIdempotency(idempotency, (PostgresIdempotencyStore) store);
    }

    /** Registered as a member class of {@link FaultHooks}. */
    @RestController
    static class FaultController {

        private final DataSource dataSource;
        private final Holds holds;
        private final String instance;

        FaultController(DataSource dataSource, Holds holds, @Value("${practice.instance-name:app}") String instance) {
            this.dataSource = dataSource;
            this.holds = holds;
            this.instance = instance;
        }

        @PostMapping("/api/effects")
        ResponseEntity<String> effect(@RequestBody EffectRequest request) throws Exception {
            String label = request.label();
            String effectKey = IdempotencyContext.current().derivedKey("effect");
            try (Connection connection = dataSource.getConnection()) {
                return ResponseEntity.status(201).header("Content-Type", "application/json")
                        .body(runEffect(connection, holds, instance, label, effectKey));
            }
        }

        @PostMapping("/test-hooks/holds")
        String arm(@RequestParam(name = "count", defaultValue = "1") int count) {
            holds.arm(count);
            return "armed " + count;
        }

        @PostMapping("/test-hooks/holds/release")
        String release() {
            holds.release();
            return "released";
        }

        @GetMapping("/test-hooks/holds")
        String holding() {
            return Integer.toString(holds.holding());
        }
    }

    /** The transactional-mode routes: only on the PostgreSQL store, the one that has transactional mode. */
    @RestController
    @ConditionalOnProperty(name = "idem.store", havingValue = "postgres", matchIfMissing = true)
    static class TransactionalFaultController {

        private final DataSource dataSource;
        private final Holds holds;
        private final TransactionalIdempotency tx;
        private final String instance;

        TransactionalFaultController(DataSource dataSource, Holds holds, TransactionalIdempotency tx,
                                     @Value("${practice.instance-name:app}") String instance) {
            this.dataSource = dataSource;
            this.holds = holds;
            this.tx = tx;
            this.instance = instance;
        }

        /**
         * The same effect on a route the starter runs in transactional mode (through Spring's transaction): held at
         * {@code holdAt} = {@code start} (claimed, nothing written), {@code write} (invocation and effect written) or
         * {@code commit} (record completed, COMMIT not yet sent). Its effect key is new on every run, so a second
         * run would show as a second effect.
         */
        @PostMapping("/api/tx-effects")
        @IdempotentRoute(commit = IdempotentRoute.Commit.TRANSACTIONAL)
        ResponseEntity<String> starterTransactionalEffect(@RequestBody EffectRequest request,
                @RequestParam(name = "holdAt", defaultValue = "") String holdAt) throws Exception {
            Connection connection = DataSourceUtils.getConnection(dataSource); // the request's own transaction
            try {
                if (holdAt.equals("start")) {
                    holds.pass();
                }
                update(connection, "INSERT INTO fault_invocations (label, instance) VALUES (?, ?)", request.label(),
                        instance);
                update(connection, "INSERT INTO fault_effects (label, effect_key, instance) VALUES (?, ?, ?)",
                        request.label(), UUID.randomUUID().toString(), instance);
                if (holdAt.equals("write")) {
                    holds.pass();
                }
                if (holdAt.equals("commit")) {
                    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                        @Override
                        public void beforeCommit(boolean readOnly) {
                            try {
                                holds.pass();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
                }
                return ResponseEntity.status(201).header("Content-Type", "application/json")
                        .body("{\"label\":\"" + request.label() + "\",\"runBy\":\"" + instance + "\"}");
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        }

        @PostMapping("/tx/effects")
        ResponseEntity<String> transactionalEffect(@RequestHeader("Idempotency-Key") String key,
                                                   @RequestBody String body) {
            String label = body.replaceAll("(?s).*\"label\"\\s*:\\s*\"([^\"]*)\".*", "$1");
            IdempotencyRequest request = IdempotencyRequest.builder("tx.effects").scope("tx").key(key)
                    .payload(body.getBytes(StandardCharsets.UTF_8)).build();
            try {
                IdempotentOutcome<String> outcome = tx.executeForOutcome(request, String.class,
                        connection -> runEffect(connection, holds, instance, label, "tx:" + key));
                return ResponseEntity.status(201).header("Content-Type", "application/json")
                        .header("Idempotent-Replayed", Boolean.toString(outcome.replayed())).body(outcome.value());
            } catch (IdempotencyConflictException e) {
                return problem(409, "request in progress");
            } catch (IdempotencyStoreException e) {
                return problem(503, "database unavailable");
            }
        }
    }

    private static ResponseEntity<String> problem(int status, String title) {
        return ResponseEntity.status(status).header("Content-Type", "application/problem+json")
                .header("Retry-After", "1")
                .body("{\"title\":\"" + title + "\",\"status\":" + status + "}");
    }

    private static String runEffect(Connection connection, Holds holds, String instance, String label,
                                    String effectKey) throws Exception {
        update(connection, "INSERT INTO fault_invocations (label, instance) VALUES (?, ?)", label, instance);
        holds.pass();
        update(connection, "INSERT INTO fault_effects (label, effect_key, instance) VALUES (?, ?, ?)"
                + " ON CONFLICT (effect_key) DO NOTHING", label, effectKey, instance);
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT id, instance FROM fault_effects WHERE effect_key = ?")) {
            s.setString(1, effectKey);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return "{\"effectId\":" + rs.getLong(1) + ",\"label\":\"" + label + "\",\"instance\":\""
                        + rs.getString(2) + "\",\"runBy\":\"" + instance + "\"}";
            }
        }
    }

    private static void update(Connection connection, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }
}
