package dev.idem.servlet;

import dev.idem.MissingKeyPolicy;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * What {@link IdempotencyFilter} protects and how. Immutable and thread-safe; {@link Builder#build()} validates.
 * Defaults: header {@code Idempotency-Key}; POST and PATCH on every path; scope = principal name, anonymous callers
 * refused ({@link AnonymousRequests}); action =
 * method and path; request and response bodies up to 1 MiB; 2xx, 3xx and deterministic 4xx responses (404, 409,
 * 422, ...) are stored, while 5xx, the transient 401, 403, 407, 408, 425 and 429, and the statuses of a request
 * refused as malformed (400, 405, 406, 411, 413, 414, 415, 431) release the key so a retry runs again. Every
 * route is two-phase (claim, handler, completion each commit) unless {@link Builder#transactional} names it.
 */
public final class IdempotencyFilterConfig {

    /** The default bound on buffered request and stored response bodies: 1 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    /** Statuses below 500 that are transient, so never stored. */
    public static final Set<Integer> TRANSIENT_CLIENT_STATUSES = Set.of(401, 403, 407, 408, 425, 429);
    /**
     * Statuses saying the request itself was refused (malformed syntax or body, wrong method, media type or size),
     * so nothing ran: not stored, as Stripe saves no result for a request that failed validation. A corrected retry
     * with the same key then runs instead of getting 422, and a refused request leaves no record behind.
     */
    public static final Set<Integer> REFUSED_REQUEST_STATUSES = Set.of(400, 405, 406, 411, 413, 414, 415, 431);

    private final String headerName;
    private final Set<String> methods;
    private final Predicate<HttpServletRequest> routes;
    private final ScopeResolver scopeResolver;
    private final ActionResolver actionResolver;
    private final Function<HttpServletRequest, MissingKeyPolicy> missingKeyPolicy;
    private final int maxRequestBodyBytes;
    private final int maxResponseBodyBytes;
    private final Set<String> replayedHeaders;
    private final IntPredicate storedStatus;
    private final String problemTypeBase;
    private final Predicate<HttpServletRequest> transactionalRoutes;
    private final RouteTransaction routeTransaction;
    private final AnonymousRequests anonymousRequests;

    /**
     * What the filter does with a protected request whose {@link ScopeResolver} names no owner (null). Anonymous
     * callers share no scope by default: two of them sending the same key and body would otherwise get each other's
     * stored response, which may hold the first caller's token or personal data.
     */
    public enum AnonymousRequests {
        /** 401 problem+json ({@code .../unauthenticated}); the request does not run. The default. */
        REJECT,
        /** The request runs unprotected, as without the filter. */
        PASS_THROUGH,
        /**
         * Protected only with a key of 122 random bits, a version-4 UUID, which no other caller can guess; any other
         * key is a 400 {@code .../key-invalid}, and so is a keyless request whose key would be derived from its
         * content (identical requests of different callers would share it).
         */
        RANDOM_KEYS_ONLY
    }

    private IdempotencyFilterConfig(Builder b) {
        this.headerName = b.headerName;
        this.methods = Set.copyOf(b.methods);
        this.routes = b.routes;
        this.scopeResolver = b.scopeResolver;
        this.actionResolver = b.actionResolver;
        this.missingKeyPolicy = b.missingKeyPolicy;
        this.maxRequestBodyBytes = b.maxRequestBodyBytes;
        this.maxResponseBodyBytes = b.maxResponseBodyBytes;
        this.replayedHeaders = Set.copyOf(b.replayedHeaders);
        this.storedStatus = b.storedStatus;
        this.problemTypeBase = b.problemTypeBase;
        this.transactionalRoutes = b.transactionalRoutes;
        this.routeTransaction = b.routeTransaction;
        this.anonymousRequests = b.anonymousRequests;
    }

    public static IdempotencyFilterConfig ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String headerName() {
        return headerName;
    }

    /** Upper-case HTTP methods the filter protects. */
    public Set<String> methods() {
        return methods;
    }

    /** Whether the filter protects {@code request} (method and route). */
    public boolean protects(HttpServletRequest request) {
        return methods.contains(request.getMethod().toUpperCase(Locale.ROOT)) && routes.test(request);
    }

    public ScopeResolver scopeResolver() {
        return scopeResolver;
    }

    public ActionResolver actionResolver() {
        return actionResolver;
    }

    /** The request's own missing-key policy, or null for the engine's. */
    public MissingKeyPolicy missingKeyPolicyFor(HttpServletRequest request) {
        return missingKeyPolicy.apply(request);
    }

    public int maxRequestBodyBytes() {
        return maxRequestBodyBytes;
    }

    public int maxResponseBodyBytes() {
        return maxResponseBodyBytes;
    }

    /** Lower-case names of the response headers stored and replayed. */
    public Set<String> replayedHeaders() {
        return replayedHeaders;
    }

    /** Whether a response with this status is stored for replay (otherwise the key is released). */
    public boolean stores(int status) {
        return storedStatus.test(status);
    }

    /** The prefix of every problem {@code type} URI. */
    public String problemTypeBase() {
        return problemTypeBase;
    }

    /** Whether the protected {@code request} runs in transactional mode (else two-phase). */
    public boolean transactional(HttpServletRequest request) {
        return routeTransaction != null && transactionalRoutes.test(request);
    }

    /** The transaction transactional routes run in, or null when every route is two-phase. */
    public RouteTransaction routeTransaction() {
        return routeTransaction;
    }

    /** What happens to a protected request of an anonymous caller. */
    public AnonymousRequests anonymousRequests() {
        return anonymousRequests;
    }

    /** A builder holding every setting of this config, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.headerName = headerName;
        b.methods = methods;
        b.routes = routes;
        b.scopeResolver = scopeResolver;
        b.actionResolver = actionResolver;
        b.missingKeyPolicy = missingKeyPolicy;
        b.maxRequestBodyBytes = maxRequestBodyBytes;
        b.maxResponseBodyBytes = maxResponseBodyBytes;
        b.replayedHeaders = replayedHeaders;
        b.storedStatus = storedStatus;
        b.problemTypeBase = problemTypeBase;
        b.transactionalRoutes = transactionalRoutes;
        b.routeTransaction = routeTransaction;
        b.anonymousRequests = anonymousRequests;
        return b;
    }

    /** Collects settings; not thread-safe. */
    public static final class Builder {
        private String headerName = "Idempotency-Key";
        private Set<String> methods = Set.of("POST", "PATCH");
        private Predicate<HttpServletRequest> routes = request -> true;
        private ScopeResolver scopeResolver = ScopeResolver.principalName();
        private ActionResolver actionResolver = ActionResolver.methodAndPath();
        private Function<HttpServletRequest, MissingKeyPolicy> missingKeyPolicy = request -> null;
        private int maxRequestBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxResponseBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Set<String> replayedHeaders = Set.of("Content-Type", "Content-Language", "Location", "ETag",
                "Last-Modified", "Link");
        private IntPredicate storedStatus = status -> status < 500 && !TRANSIENT_CLIENT_STATUSES.contains(status)
                && !REFUSED_REQUEST_STATUSES.contains(status);
        private String problemTypeBase = "https://idem.dev/problems/";
        private Predicate<HttpServletRequest> transactionalRoutes = request -> false;
        private RouteTransaction routeTransaction;
        private AnonymousRequests anonymousRequests = AnonymousRequests.REJECT;

        private Builder() {
        }

        /** What a protected request of an anonymous caller gets; default {@link AnonymousRequests#REJECT}. */
        public Builder anonymousRequests(AnonymousRequests anonymousRequests) {
            this.anonymousRequests = anonymousRequests;
            return this;
        }

        public Builder headerName(String headerName) {
            this.headerName = headerName;
            return this;
        }

        public Builder methods(Set<String> methods) {
            this.methods = methods;
            return this;
        }

        /** Which requests (among the protected methods) are protected; default every path. */
        public Builder routes(Predicate<HttpServletRequest> routes) {
            this.routes = routes;
            return this;
        }

        public Builder scopeResolver(ScopeResolver scopeResolver) {
            this.scopeResolver = scopeResolver;
            return this;
        }

        public Builder actionResolver(ActionResolver actionResolver) {
            this.actionResolver = actionResolver;
            return this;
        }

        /** A per-request missing-key policy (e.g. per route); return null to use the engine's. */
        public Builder missingKeyPolicy(Function<HttpServletRequest, MissingKeyPolicy> missingKeyPolicy) {
            this.missingKeyPolicy = missingKeyPolicy;
            return this;
        }

        /** Larger protected request bodies are refused with 413. */
        public Builder maxRequestBodyBytes(int maxRequestBodyBytes) {
            this.maxRequestBodyBytes = maxRequestBodyBytes;
            return this;
        }

        /**
         * Larger responses are sent but not stored: the action still runs once, and a retry gets a 409 problem of
         * type {@code response-not-stored} instead of a second execution.
         */
        public Builder maxResponseBodyBytes(int maxResponseBodyBytes) {
            this.maxResponseBodyBytes = maxResponseBodyBytes;
            return this;
        }

        public Builder replayedHeaders(Set<String> replayedHeaders) {
            this.replayedHeaders = replayedHeaders;
            return this;
        }

        /** Which statuses are stored; the others release the key so a retry runs again. */
        public Builder storedStatus(IntPredicate storedStatus) {
            this.storedStatus = storedStatus;
            return this;
        }

        public Builder problemTypeBase(String problemTypeBase) {
            this.problemTypeBase = problemTypeBase;
            return this;
        }

        /**
         * Runs the protected requests that {@code routes} accepts in transactional mode, inside {@code transaction}:
         * claim, the handler's own writes and the stored response commit together, and the response goes out only
         * after the commit. Only for handlers whose writes all go to the transaction's database; a handler calling a
         * slow external service must stay two-phase, since the transaction holds a connection and row locks.
         */
        public Builder transactional(Predicate<HttpServletRequest> routes, RouteTransaction transaction) {
            this.transactionalRoutes = Objects.requireNonNull(routes, "routes");
            this.routeTransaction = Objects.requireNonNull(transaction, "transaction");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public IdempotencyFilterConfig build() {
            if (headerName == null || headerName.isBlank() || !headerName.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("headerName must be an HTTP token, got '" + headerName + "'");
            }
            Objects.requireNonNull(methods, "methods");
            if (methods.isEmpty()) {
                throw new IllegalArgumentException("methods must not be empty");
            }
            Set<String> upper = new TreeSet<>();
            for (String method : methods) {
                upper.add(method.toUpperCase(Locale.ROOT));
            }
            methods = upper;
            Objects.requireNonNull(routes, "routes");
            Objects.requireNonNull(scopeResolver, "scopeResolver");
            Objects.requireNonNull(actionResolver, "actionResolver");
            Objects.requireNonNull(missingKeyPolicy, "missingKeyPolicy");
            Objects.requireNonNull(storedStatus, "storedStatus");
            Objects.requireNonNull(problemTypeBase, "problemTypeBase");
            Objects.requireNonNull(anonymousRequests, "anonymousRequests");
            if (maxRequestBodyBytes < 0 || maxResponseBodyBytes < 0) {
                throw new IllegalArgumentException("body size limits must not be negative");
            }
            Set<String> lower = new TreeSet<>();
            for (String header : Objects.requireNonNull(replayedHeaders, "replayedHeaders")) {
                lower.add(header.toLowerCase(Locale.ROOT));
            }
            replayedHeaders = lower;
            return new IdempotencyFilterConfig(this);
        }
    }
}
