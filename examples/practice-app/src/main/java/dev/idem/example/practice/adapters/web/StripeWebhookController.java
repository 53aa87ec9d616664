package dev.idem.example.practice.adapters.web;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import dev.idem.Idempotency;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyKeyReusedException;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.IdempotentOutcome;
import dev.idem.example.practice.application.BillingUseCases;
import dev.idem.postgres.TransactionalIdempotency;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spring.SpringTransactionalIdempotency;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/billing/webhooks}: Stripe's events, an idempotent consumer. The {@code Stripe-Signature} is checked
 * with stripe-java's own verification and {@code practice.stripe.webhook-secret} (a bad or missing signature or a
 * stale timestamp is 400 and changes nothing). Each event then takes effect once through Idem in transactional mode
 * (scope {@code stripe}, the event type as action, the event id as key): the effect and the record commit together,
 * so a redelivered event, even one delivered ten times at once, is acknowledged with 200 and nothing happens twice.
 * On a store without transactional mode (Redis, in-memory) the event runs two-phase: its effect commits in a
 * transaction of its own, then the record completes; a crash between the two makes the redelivery run the handler
 * again, which the billing use cases tolerate (they move a checkout and a subscription to a state, never add to one).
 */
@RestController
public class StripeWebhookController {

    /** The route; Stripe calls it without a bearer token, and outside Idem's HTTP filter (the event id is the key). */
    public static final String PATH = "/api/billing/webhooks";

    private final BillingUseCases billing;
    private final EventRunner events;
    private final JsonMapper json;
    private final String secret;
    private final long toleranceSeconds;

    public StripeWebhookController(BillingUseCases billing, Idempotency idempotency, IdempotencyStore store,
                                   PlatformTransactionManager transactions, JsonMapper json,
                                   @Value("${practice.stripe.webhook-secret}") String secret,
                                   @Value("${practice.stripe.webhook-tolerance:5m}") Duration tolerance) {
        this.billing = billing;
        if (SpringTransactionalIdempotency.supports(store)) {
            TransactionalIdempotency tx = SpringTransactionalIdempotency.of(idempotency, store, transactions);
            this.events = (request, handler) -> tx.executeForOutcome(request, String.class,
                    connection -> handler.get());
        } else {
            TransactionTemplate transaction = new TransactionTemplate(transactions);
            this.events = (request, handler) -> idempotency.executeForOutcome(request, String.class,
                    () -> transaction.execute(status -> handler.get()));
        }
        this.json = json;
        this.secret = secret;
        this.toleranceSeconds = tolerance.toSeconds();
    }

    /** How one event takes effect once: with its record in one transaction, or two-phase (see the class comment). */
    private interface EventRunner {
        IdempotentOutcome<String> run(IdempotencyRequest request, Supplier<String> handler);
    }

    /** An event that is not Stripe's, or not well-formed: 400, nothing changed. */
    static final class RejectedEvent extends RuntimeException {
        RejectedEvent(String message) {
            super(message);
        }
    }

    @PostMapping(path = PATH, consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> receive(
            @RequestHeader(name = "Stripe-Signature", required = false) String signature,
            @RequestBody String payload) {
        if (signature == null || signature.isBlank()) {
            throw new RejectedEvent("missing Stripe-Signature header");
        }
        try {
            Webhook.Signature.verifyHeader(payload, signature, secret, toleranceSeconds);
        } catch (SignatureVerificationException e) {
            throw new RejectedEvent("the Stripe-Signature does not verify: " + e.getMessage());
        }
        JsonNode event;
        try {
            event = json.readTree(payload);
        } catch (JacksonException e) {
            throw new RejectedEvent("the event is not JSON");
        }
        String id = event.path("id").asString("");
        String type = event.path("type").asString("");
        String object = event.path("data").path("object").path("id").asString("");
        if (id.isBlank() || type.isBlank()) {
            throw new RejectedEvent("the event has no id or type");
        }
        IdempotencyRequest request = IdempotencyRequest.builder(type).scope("stripe").key(id)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).build();
        IdempotentOutcome<String> outcome = events.run(request, () -> handle(type, object));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("eventId", id);
        answer.put("result", outcome.value());
        answer.put("replayed", outcome.replayed());
        return ResponseEntity.ok(answer);
    }

    private String handle(String type, String checkoutSession) {
        return switch (type) {
            case "checkout.session.completed" -> billing.checkoutCompleted(checkoutSession);
            case "checkout.session.expired" -> billing.checkoutExpired(checkoutSession);
            default -> "ignored"; // acknowledged, so Stripe stops sending it
        };
    }

    @ExceptionHandler(RejectedEvent.class)
    ResponseEntity<ProblemDetail> rejected(RejectedEvent e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-event", e.getMessage());
    }

    @ExceptionHandler(IdempotencyConflictException.class)
    ResponseEntity<ProblemDetail> inProgress(IdempotencyConflictException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).header("Retry-After", "1").body(problemBody(
                HttpStatus.CONFLICT, "event-in-progress", "this event is being handled by another delivery"));
    }

    @ExceptionHandler(IdempotencyKeyReusedException.class)
    ResponseEntity<ProblemDetail> reused(IdempotencyKeyReusedException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "event-id-reused",
                "an event with this id but another payload was already handled");
    }

    @ExceptionHandler(IdempotencyStoreException.class)
    ResponseEntity<ProblemDetail> storeDown(IdempotencyStoreException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "1").body(problemBody(
                HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable", "the database is unavailable; deliver again"));
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String type, String detail) {
        return ResponseEntity.status(status).body(problemBody(status, type, detail));
    }

    private static ProblemDetail problemBody(HttpStatus status, String type, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(java.net.URI.create(ProblemHandler.PROBLEM_TYPES + type));
        return problem;
    }
}
