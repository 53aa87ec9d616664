/**
 * Spring Boot auto-configuration for Idem: the engine, its store (PostgreSQL for a PostgreSQL {@code DataSource},
 * Redis when {@code idem.store=redis}, in-memory otherwise), the {@code Idempotency-Key} servlet filter,
 * {@link dev.idem.spring.Idempotent} for service methods, Micrometer metrics and scheduled pruning, all set by
 * {@code idem.*} properties and each replaceable by a bean of the user's own. Every public type here is
 * thread-safe once the application context has started.
 */
package dev.idem.spring;
