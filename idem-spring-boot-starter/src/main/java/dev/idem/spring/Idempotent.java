package dev.idem.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a Spring bean method at most once per idempotency key and returns the stored result to every repeat
 * call with the same key; deterministic errors ({@link dev.idem.ReplayableError}) are rethrown as the same type.
 * The fingerprint is the SHA-256 of the encoded arguments, so the same key with other arguments is refused
 * ({@link dev.idem.IdempotencyKeyReusedException}).
 *
 * <pre>{@code
 * @Idempotent(action = "practice.start", key = "#command.idempotencyKey", scope = "#userId")
 * public StartedSession start(String userId, StartCommand command) { ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Idempotent {

    /** The operation name; default {@code SimpleClassName.methodName}. */
    String action() default "";

    /** SpEL over the method's parameters ({@code #name}) giving the key; a null key follows the missing-key policy. */
    String key();

    /** SpEL giving the owner of the key (user, tenant); default no scope. */
    String scope() default "";
}
