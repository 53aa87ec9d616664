package dev.idem.spring;

import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.IdempotencyStoreInspection;
import dev.idem.spi.IdempotencyStoreInspection.Inspected;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code idempotency} actuator endpoint, for operators (not exposed by default: add it to
 * {@code management.endpoints.web.exposure.include}, and secure it as any actuator endpoint):
 * <ul>
 *   <li>{@code GET /actuator/idempotency}: the records per status, and the stuck ones (in progress, lease ended:
 *       waiting for a retry to take them over), oldest first, at most 100;</li>
 *   <li>{@code GET /actuator/idempotency/record?scope=&action=&key=}: one record (status, created, lease, expiry,
 *       fingerprint, size; the body only with {@code idem.actuator.show-body=true}); {@code scope=-} for none;</li>
 *   <li>{@code DELETE /actuator/idempotency/record?scope=&action=&key=}: deletes one record, logged at WARN with the
 *       operator's principal.</li>
 * </ul>
 * Needs a store that implements {@link IdempotencyStoreInspection} (in-memory, PostgreSQL); with another the
 * operations say so. Thread-safe.
 */
@Endpoint(id = "idempotency")
public class IdempotencyEndpoint {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyEndpoint.class);
    private static final String RECORD = "record";
    private static final String NO_SCOPE = "-";
    private static final int STUCK_LIMIT = 100;

    private final IdempotencyStore store;
    private final IdempotencyStoreInspection inspection;
    private final boolean showBody;
    private final Clock clock;

    public IdempotencyEndpoint(IdempotencyStore store, boolean showBody, Clock clock) {
        IdempotencyStore raw = store;
        while (raw instanceof ForwardingIdempotencyStore forwarding) {
            raw = forwarding.delegate();
        }
        this.store = raw;
        this.inspection = raw instanceof IdempotencyStoreInspection i ? i : null;
        this.showBody = showBody;
        this.clock = clock;
    }

    @ReadOperation
    public Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("store", store.getClass().getSimpleName());
        if (inspection == null) {
            summary.put("inspection", "not supported by this store");
            return summary;
        }
        summary.put("counts", inspection.countByStatus());
        List<Inspected> stuck = inspection.stuck(clock.instant(), STUCK_LIMIT);
        summary.put("stuck", stuck.stream().map(this::view).toList());
        return summary;
    }

    /** One record; null (404) when there is none, or when {@code view} is not {@code record}. */
    @ReadOperation
    public Map<String, Object> record(@Selector String view, String scope, String action, String key) {
        if (!RECORD.equals(view) || inspection == null) {
            return null;
        }
        return inspection.inspect(id(scope, action, key)).map(this::view).orElse(null);
    }

    /** Deletes one record: 200 with what was deleted, 404 when there was none. */
    @DeleteOperation
    public WebEndpointResponse<Map<String, Object>> delete(@Selector String view, String scope, String action,
                                                           String key, SecurityContext security) {
        RecordId id = id(scope, action, key);
        if (!RECORD.equals(view) || inspection == null || !inspection.delete(id)) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        String operator = security.getPrincipal() == null ? "(anonymous)" : security.getPrincipal().getName();
        log.warn("idempotency record deleted by {}: scope={} action={} key={} (id {})", operator, id.scope(),
                id.action(), id.key(), id.digest());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deleted", true);
        answer.put("scope", id.scope());
        answer.put("action", id.action());
        answer.put("key", id.key());
        return new WebEndpointResponse<>(answer);
    }

    private static RecordId id(String scope, String action, String key) {
        return new RecordId(NO_SCOPE.equals(scope) ? "" : scope, action, key);
    }

    private Map<String, Object> view(Inspected inspected) {
        StoredRecord record = inspected.record();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("scope", record.id().scope());
        view.put("action", record.id().action());
        view.put("key", record.id().key());
        view.put("status", record.status().name());
        view.put("createdAt", inspected.createdAt());
        view.put("leaseUntil", record.leaseUntil());
        view.put("expiresAt", record.expiresAt());
        view.put("leaseExpired", record.leaseExpiredAt(clock.instant()));
        view.put("fingerprint", record.fingerprint().hex());
        byte[] body = record.result() != null ? record.result().body() : null;
        view.put("contentType", record.result() != null ? record.result().contentType() : null);
        view.put("size", body == null ? 0 : body.length);
        if (record.error() != null) {
            view.put("error", record.error().type());
        }
        if (showBody && body != null) {
            view.put("body", textual(record.result().contentType()) ? new String(body, StandardCharsets.UTF_8)
                    : Base64.getEncoder().encodeToString(body));
        }
        return view;
    }

    private static boolean textual(String contentType) {
        return contentType != null && (contentType.startsWith("text/") || contentType.contains("json"));
    }
}
