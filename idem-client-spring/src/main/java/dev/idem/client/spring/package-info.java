/**
 * Spring's HTTP clients with one idempotency key per logical call:
 * {@link dev.idem.client.spring.IdempotentRequestInterceptor} for {@code RestClient} and {@code RestTemplate},
 * {@link dev.idem.client.spring.IdempotentExchangeFilter} for {@code WebClient} (needs spring-webflux).
 */
package dev.idem.client.spring;
