package dev.idem.example.practice.adapters.web;

import dev.idem.example.practice.adapters.payments.StripePaymentGateway.PaymentGatewayException;
import dev.idem.example.practice.domain.DomainException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/** Every error as RFC 9457 problem+json with a clear detail and never a stack trace. */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(DomainException.class)
    ResponseEntity<ProblemDetail> domain(DomainException e) {
        HttpStatus status = e instanceof DomainException.Invalid ? HttpStatus.BAD_REQUEST
                : e instanceof DomainException.NotFound ? HttpStatus.NOT_FOUND
                : e instanceof DomainException.Forbidden ? HttpStatus.FORBIDDEN
                : e instanceof DomainException.Conflict ? HttpStatus.CONFLICT
                : HttpStatus.TOO_MANY_REQUESTS;
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, e.getMessage()));
    }

    @ExceptionHandler(PaymentGatewayException.class)
    ResponseEntity<ProblemDetail> gateway(PaymentGatewayException e) {
        log.warn("Payment gateway failed", e);
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_GATEWAY, "the payment provider failed; retry with the same Idempotency-Key"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unexpected error", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "an unexpected error occurred"));
    }
}
