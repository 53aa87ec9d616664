package dev.idem.example.practice.adapters.web;

import dev.idem.example.practice.adapters.payments.StripePaymentGateway.PaymentGatewayException;
import dev.idem.example.practice.domain.DomainException;
import java.net.URI;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as RFC 9457 problem+json with a clear detail and never a stack trace; a lost database is 503 (retry
 * later with the same key), not 500.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    /** The prefix of the app's own problem types (Idem's filter has its own). */
    static final String PROBLEM_TYPES = "https://practice.idem.dev/problems/";

    @ExceptionHandler(DomainException.class)
    ResponseEntity<ProblemDetail> domain(DomainException e) {
        HttpStatus status = e instanceof DomainException.Invalid ? HttpStatus.BAD_REQUEST
                : e instanceof DomainException.NotFound ? HttpStatus.NOT_FOUND
                : e instanceof DomainException.Forbidden ? HttpStatus.FORBIDDEN
                : e instanceof DomainException.Conflict ? HttpStatus.CONFLICT
                : HttpStatus.TOO_MANY_REQUESTS;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        if (e instanceof DomainException.Conflict conflict && conflict.type() != null) {
            problem.setType(URI.create(PROBLEM_TYPES + conflict.type()));
        }
        return ResponseEntity.status(status).body(problem);
    }

    @ExceptionHandler(PaymentGatewayException.class)
    ResponseEntity<ProblemDetail> gateway(PaymentGatewayException e) {
        log.warn("Payment gateway failed", e);
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_GATEWAY, "the payment provider failed; retry with the same Idempotency-Key"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (isDatabaseUnavailable(e)) {
            log.warn("Database unavailable: {}", e.toString());
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "1")
                    .body(ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                            "the database is unavailable; retry later with the same Idempotency-Key"));
        }
        log.error("Unexpected error", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "an unexpected error occurred"));
    }

    /**
     * Whether {@code e} comes from losing the database (no connection, connection dropped): a transient failure the
     * client should retry, so 503 rather than 500. SQLState class 08 is "connection exception".
     */
    static boolean isDatabaseUnavailable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataAccessResourceFailureException || cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
