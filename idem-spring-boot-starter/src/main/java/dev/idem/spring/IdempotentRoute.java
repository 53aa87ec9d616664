package dev.idem.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares how the {@code Idempotency-Key} filter commits a Spring MVC handler's protected requests; on a method or
 * on its controller class (the method's wins), and it wins over {@code idem.http.transactional-paths}.
 *
 * <pre>{@code
 * @PostMapping("/orders")
 * @IdempotentRoute(commit = IdempotentRoute.Commit.TRANSACTIONAL)
 * public ResponseEntity<Order> create(@RequestBody OrderRequest request) { ... }   // JdbcClient, JPA, ...
 * }</pre>
 *
 * <p>{@link Commit#TRANSACTIONAL} needs the PostgreSQL store on the application's own {@code DataSource}, managed by a
 * {@code DataSourceTransactionManager} or {@code JpaTransactionManager}, at READ COMMITTED; the application refuses to
 * start otherwise. Only for handlers whose writes all go to that database: one calling a payment gateway or another
 * slow service stays {@link Commit#TWO_PHASE}, because the transaction holds a connection and row locks meanwhile.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface IdempotentRoute {

    /** Where the idempotency record commits. */
    Commit commit();

    /** Where the idempotency record commits, relative to the handler's own writes. */
    enum Commit {
        /**
         * Claim, handler and completion each commit (three commits); the record has a lease. The default, and the
         * only mode for handlers with effects outside the database (forward {@code IdempotencyContext.derivedKey}).
         */
        TWO_PHASE,
        /**
         * Claim, the handler's writes (through Spring's transaction: {@code JdbcClient}, {@code JdbcTemplate}, JPA,
         * joining {@code @Transactional} services) and the captured response commit in one transaction; the response
         * goes out only after it committed. A crash at any point leaves neither the effect nor the record.
         */
        TRANSACTIONAL
    }
}
