package dev.idem.servlet;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyException;
import dev.idem.IdempotencyKeyReusedException;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.IdempotentAction;
import dev.idem.IdempotentActionException;
import dev.idem.IdempotentOutcome;
import dev.idem.InvalidIdempotencyKeyException;
import dev.idem.MissingIdempotencyKeyException;
import dev.idem.MissingKeyPolicy;
import dev.idem.ReleaseKey;
import dev.idem.spi.Fingerprint;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IETF {@code Idempotency-Key} semantics as a servlet filter. For a protected request (POST and PATCH by
 * default) it reads the key (structured-field string or bare token), fingerprints method, path, query and body,
 * and runs the rest of the chain at most once per (scope, action, key). The response the application produced is
 * stored before the client sees it, and every retry gets the same status, allow-listed headers and body plus
 * {@code Idempotent-Replayed: true}.
 *
 * <table>
 *   <caption>Answers of the filter itself (RFC 9457 problem+json)</caption>
 *   <tr><td>401</td><td>an anonymous caller, by default ({@link IdempotencyFilterConfig.AnonymousRequests})</td></tr>
 *   <tr><td>400</td><td>key missing (policy reject), malformed, or sent twice</td></tr>
 *   <tr><td>413</td><td>request body larger than {@code maxRequestBodyBytes}</td></tr>
 *   <tr><td>422</td><td>key reused with another request</td></tr>
 *   <tr><td>409</td><td>the first request is still running after {@code maxWait} ({@code Retry-After}); or its
 *       response was too large to store ({@code response-not-stored})</td></tr>
 *   <tr><td>503</td><td>the store is unavailable: the request is not run (fail closed)</td></tr>
 * </table>
 *
 * <p>Responses whose status the config does not store (5xx, 401, 403, 407, 408, 425, 429, and 400, 405, 406, 411,
 * 413, 414, 415, 431 for a request refused as malformed, by default), responses
 * sent with {@code sendError}, and exceptions release the key, so a retry runs again.
 *
 * <p>Routes named by {@link IdempotencyFilterConfig.Builder#transactional} run in transactional mode through a
 * {@link RouteTransaction}: the claim, the handler's writes and the stored response commit in one transaction, and the
 * response (however large) is held until that commit succeeded; a stored 4xx keeps its record but not the handler's
 * writes, and a failed commit is a 503 with nothing kept. Thread-safe.
 */
public final class IdempotencyFilter implements Filter {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);
    private static final String REPLAYED_HEADER = "Idempotent-Replayed";
    /** The scope of anonymous callers allowed with random keys only: the key itself is their secret. */
    private static final String ANONYMOUS_SCOPE = "(anonymous)";
    /** A version-4 UUID (122 random bits), in any case. */
    private static final Pattern RANDOM_UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}");

    private final Idempotency idempotency;
    private final IdempotencyFilterConfig config;
    private final Problems problems;

    public IdempotencyFilter(Idempotency idempotency, IdempotencyFilterConfig config) {
        this.idempotency = Objects.requireNonNull(idempotency, "idempotency").withCodec(new StoredResponse.Codec());
        this.config = Objects.requireNonNull(config, "config");
        this.problems = new Problems(config.problemTypeBase());
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || !config.protects(request)) {
            chain.doFilter(req, res);
            return;
        }
        String instance = request.getRequestURI();
        String scope = config.scopeResolver().scopeOf(request);
        if (scope == null) { // an anonymous caller: no scope of its own to keep its key and response apart
            if (config.anonymousRequests() == IdempotencyFilterConfig.AnonymousRequests.REJECT) {
                problems.write(response, 401, "unauthenticated", "Authentication required", "an idempotent request"
                        + " needs an authenticated caller, so that its key and its stored response are its own", instance);
                return;
            }
            if (config.anonymousRequests() == IdempotencyFilterConfig.AnonymousRequests.PASS_THROUGH) {
                chain.doFilter(req, res);
                return;
            }
        }
        List<String> headers = Collections.list(request.getHeaders(config.headerName()));
        if (headers.size() > 1) {
            problems.write(response, 400, "key-invalid", "Invalid idempotency key",
                    "send exactly one " + config.headerName() + " header", instance);
            return;
        }
        byte[] body = CachedBodyRequest.readBody(request, config.maxRequestBodyBytes());
        if (body == null) {
            problems.write(response, 413, "request-too-large", "Request too large",
                    "an idempotent request body may have at most " + config.maxRequestBodyBytes() + " bytes", instance);
            return;
        }
        HttpServletRequest cached = new CachedBodyRequest(request, body);
        boolean transactional = config.transactional(request);
        // in transactional mode nothing may reach the client before the commit, however large the response
        CapturingResponse capture = new CapturingResponse(response, config.maxResponseBodyBytes(), transactional);
        try {
            IdempotencyRequest idempotencyRequest = toIdempotencyRequest(request, scope, headers, body);
            IdempotentAction<StoredResponse> action = () -> runChain(cached, capture, chain);
            IdempotentOutcome<StoredResponse> outcome = transactional
                    ? config.routeTransaction().execute(idempotency, idempotencyRequest, StoredResponse.class,
                            action, StoredResponse::keepsWrites)
                    : idempotency.executeForOutcome(idempotencyRequest, StoredResponse.class, action);
            if (outcome.replayed()) {
                replay(response, outcome.value(), instance);
            } else {
                capture.sendToClient();
            }
        } catch (ReleaseKey released) {
            capture.sendToClient();
        } catch (MissingIdempotencyKeyException e) {
            problems.write(response, 400, "key-missing", "Idempotency key required", e.getMessage(), instance);
        } catch (InvalidIdempotencyKeyException e) {
            problems.write(response, 400, "key-invalid", "Invalid idempotency key", e.getMessage(), instance);
        } catch (IdempotencyKeyReusedException e) {
            problems.write(response, 422, "key-reused", "Idempotency key reused", e.getMessage(), instance);
        } catch (IdempotencyConflictException e) {
            long seconds = Math.max(1, e.retryAfter().toSeconds());
            response.setHeader("Retry-After", Long.toString(seconds));
            problems.write(response, 409, "request-in-progress", "Request in progress", e.getMessage()
                    + "; retry after " + seconds + " s", instance);
        } catch (IdempotencyStoreException e) {
            log.warn("Idempotency store unavailable; refusing {} {}", request.getMethod(), instance, e);
            capture.discardApplicationHeaders(); // a transaction that did not commit leaves nothing, not even a Location
            response.setHeader("Retry-After", "1");
            problems.write(response, 503, "store-unavailable", "Idempotency store unavailable", transactional
                    ? "the request was not processed: its transaction, holding its idempotency record, did not commit;"
                            + " nothing of it was kept; retry later"
                    : "the request was not processed because its idempotency key could not be checked; retry later",
                    instance);
        } catch (IdempotentActionException e) {
            throw unwrap(e);
        } catch (IdempotencyException e) {
            log.error("Could not replay the stored response for {} {}", request.getMethod(), instance, e);
            problems.write(response, 500, "replay-failed", "Stored response unreadable",
                    "the stored response of this key could not be read", instance);
        }
    }

    /** {@code scope} null: an anonymous caller allowed with random keys only. */
    private IdempotencyRequest toIdempotencyRequest(HttpServletRequest request, String scope, List<String> headers,
                                                    byte[] body) {
        String query = request.getQueryString();
        Fingerprint fingerprint = Fingerprint.ofParts(
                request.getMethod().getBytes(StandardCharsets.UTF_8),
                request.getRequestURI().getBytes(StandardCharsets.UTF_8),
                (query == null ? "" : query).getBytes(StandardCharsets.UTF_8),
                body);
        IdempotencyRequest.Builder builder = IdempotencyRequest.builder(config.actionResolver().actionOf(request))
                .scope(scope != null ? scope : ANONYMOUS_SCOPE)
                .fingerprint(fingerprint);
        if (!headers.isEmpty()) {
            String key = KeyHeader.parse(headers.get(0));
            if (scope == null && !RANDOM_UUID.matcher(key).matches()) {
                throw new InvalidIdempotencyKeyException("an anonymous request's key must be a random (version 4) UUID,"
                        + " which no other caller can guess");
            }
            builder.key(key);
        }
        MissingKeyPolicy policy = config.missingKeyPolicyFor(request);
        if (policy != null) {
            builder.missingKeyPolicy(policy);
        }
        MissingKeyPolicy effective = policy != null ? policy : idempotency.config().missingKeyPolicy();
        if (scope == null && headers.isEmpty() && effective instanceof MissingKeyPolicy.DeriveFromContent) {
            throw new InvalidIdempotencyKeyException("an anonymous request needs a random (version 4) UUID key: a key"
                    + " derived from its content would be shared with every other caller sending the same request");
        }
        return builder.build();
    }

    private StoredResponse runChain(HttpServletRequest request, CapturingResponse capture, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, capture);
        if (capture.sentError() || !config.stores(capture.status())) {
            // the engine releases the key whatever the error policy says; the response goes out as produced
            throw new ReleaseKey("status " + capture.status() + " is not stored");
        }
        return capture.capture(config.replayedHeaders());
    }

    private void replay(HttpServletResponse response, StoredResponse stored, String instance) throws IOException {
        if (!stored.stored()) {
            problems.write(response, 409, "response-not-stored", "Response not stored",
                    "the first request with this key completed with status " + stored.status() + ", but its response ("
                            + stored.originalSize() + " bytes) was larger than the " + config.maxResponseBodyBytes()
                            + "-byte replay limit and was not stored; it will not run again", instance);
            return;
        }
        response.setStatus(stored.status());
        for (Map.Entry<String, String> header : stored.headers()) {
            if (header.getKey().equalsIgnoreCase("Content-Type")) {
                response.setContentType(header.getValue());
            } else {
                response.addHeader(header.getKey(), header.getValue());
            }
        }
        response.setHeader(REPLAYED_HEADER, "true");
        response.setContentLength(stored.body().length);
        if (stored.body().length > 0) {
            response.getOutputStream().write(stored.body());
        }
        response.flushBuffer();
    }

    private static IOException unwrap(IdempotentActionException e) throws ServletException {
        Throwable cause = e.getCause();
        if (cause instanceof ServletException servlet) {
            throw servlet;
        }
        if (cause instanceof IOException io) {
            return io;
        }
        throw e;
    }
}
