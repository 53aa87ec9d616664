package dev.idem.spring;

import dev.idem.MissingKeyPolicy;
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
 *
 * <p>The result is stored with the application's {@link dev.idem.ResultCodec} (JSON with Spring Boot's Jackson
 * mapper by default), typed by the method's generic return type. Checked exceptions the method declares are
 * rethrown as themselves; a duplicate still running after {@code idem.max-wait} gets
 * {@link dev.idem.IdempotencyConflictException}, and a store outage {@link dev.idem.IdempotencyStoreException}.
 * Works on Spring beans only (the method is called through a class-based proxy, so calls from inside the same
 * bean are not intercepted).
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

    /** What a call whose key evaluates to null does: one policy, or none (the default) for {@code idem.missing-key-policy}. */
    MissingKeyPolicy.Kind[] missingKeyPolicy() default {};

    /**
     * The dedup window of {@link MissingKeyPolicy.Kind#DERIVE_FROM_CONTENT}, in Spring Boot's duration format
     * ({@code 10s}, {@code 500ms}, {@code PT1M}).
     */
    String dedupWindow() default "10s";
}
