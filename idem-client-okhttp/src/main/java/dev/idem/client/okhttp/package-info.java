/**
 * OkHttp with one idempotency key per logical call: {@link dev.idem.client.okhttp.IdempotentOkHttpInterceptor}.
 */
package dev.idem.client.okhttp;
