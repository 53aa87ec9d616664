/**
 * Micrometer for Idem without any framework: {@link dev.idem.micrometer.MicrometerIdempotencyListener} counts the
 * engine's decisions and {@link dev.idem.micrometer.MeteredIdempotencyStore} times every store call. The Spring Boot
 * starter wires both when a {@code MeterRegistry} exists.
 */
package dev.idem.micrometer;
