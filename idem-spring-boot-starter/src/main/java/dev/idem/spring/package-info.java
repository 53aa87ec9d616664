/**
 * Spring Boot auto-configuration for Idem: the engine, its store (PostgreSQL when a {@code DataSource} exists,
 * Redis when {@code idem.store=redis}, in-memory otherwise), the {@code Idempotency-Key} servlet filter,
 * {@link dev.idem.spring.Idempotent} for service methods, Micrometer metrics and scheduled pruning, all set by
 * {@code idem.*} properties and each replaceable by a bean of the user's own.
 */
package dev.idem.spring;
