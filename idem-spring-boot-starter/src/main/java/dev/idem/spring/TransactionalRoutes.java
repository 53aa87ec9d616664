package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotentAction;
import dev.idem.IdempotentOutcome;
import dev.idem.servlet.RouteTransaction;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Which protected requests run in transactional mode, and the transaction they run in: a request whose Spring MVC
 * handler says so with {@link IdempotentRoute}, else one matching {@code idem.http.transactional-paths}. Once every
 * singleton exists it looks for annotated handlers and, when any route is declared transactional, builds the
 * {@link RouteTransaction} it delegates to, whose checks make the application refuse to start if the set-up cannot
 * commit record and writes together. Thread-safe once the context has started.
 */
final class TransactionalRoutes implements Predicate<HttpServletRequest>, RouteTransaction, SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(TransactionalRoutes.class);

    private final List<String> paths;
    private final AntPathMatcher matcher = new AntPathMatcher();
    private final ObjectProvider<RequestMappingHandlerMapping> mappings;
    private final Supplier<RouteTransaction> transactionFactory;
    private volatile RequestMappingHandlerMapping annotatedMapping;
    private volatile RouteTransaction transaction;

    /**
     * @param transactionFactory builds the transaction (and checks the set-up); called only when a route is declared
     */
    TransactionalRoutes(List<String> paths, ObjectProvider<RequestMappingHandlerMapping> mappings,
                        Supplier<RouteTransaction> transactionFactory) {
        this.paths = List.copyOf(paths);
        this.mappings = mappings;
        this.transactionFactory = transactionFactory;
    }

    @Override
    public void afterSingletonsInstantiated() {
        RequestMappingHandlerMapping mapping = mappings.getIfUnique();
        boolean annotated = mapping != null && mapping.getHandlerMethods().values().stream()
                .anyMatch(method -> commitOf(method) != null);
        List<String> transactionalHandlers = annotated ? annotatedHandlers(mapping) : List.of();
        if (paths.isEmpty() && transactionalHandlers.isEmpty()) {
            return; // nothing is transactional (TWO_PHASE annotations alone only say what is already the default)
        }
        transaction = transactionFactory.get();
        annotatedMapping = annotated ? mapping : null;
        log.info("Idem runs these routes in transactional mode: paths {}, handlers {}", paths, transactionalHandlers);
    }

    /** Whether any route is transactional (known once the context has started). */
    boolean declared() {
        return transaction != null;
    }

    @Override
    public <T> IdempotentOutcome<T> execute(Idempotency engine, IdempotencyRequest request, Type resultType,
                                            IdempotentAction<T> action, Predicate<? super T> keepsWrites) {
        if (transaction == null) {
            throw new IllegalStateException("no route is declared transactional");
        }
        return transaction.execute(engine, request, resultType, action, keepsWrites);
    }

    private static List<String> annotatedHandlers(RequestMappingHandlerMapping mapping) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
            if (commitOf(e.getValue()) == IdempotentRoute.Commit.TRANSACTIONAL) {
                names.add(e.getKey().toString());
            }
        }
        return names;
    }

    @Override
    public boolean test(HttpServletRequest request) {
        if (transaction == null) {
            return false;
        }
        IdempotentRoute.Commit declared = annotatedMapping == null ? null : annotatedCommit(request);
        if (declared != null) {
            return declared == IdempotentRoute.Commit.TRANSACTIONAL;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        for (String pattern : paths) {
            if (matcher.match(pattern, path)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The commit mode the request's handler declares, or null. Asks the handler mapping as the DispatcherServlet will,
     * then removes what the lookup left on the request, so the dispatch that follows finds it as it was.
     */
    private IdempotentRoute.Commit annotatedCommit(HttpServletRequest request) {
        Set<String> before = new HashSet<>(Collections.list(request.getAttributeNames()));
        boolean parsed = ServletRequestPathUtils.hasParsedRequestPath(request);
        try {
            if (!parsed) {
                ServletRequestPathUtils.parseAndCache(request);
            }
            HandlerExecutionChain chain = annotatedMapping.getHandler(request);
            return chain != null && chain.getHandler() instanceof HandlerMethod method ? commitOf(method) : null;
        } catch (Exception e) {
            return null; // no handler accepts it (405, 415, ...): the dispatcher will answer, and paths decide
        } finally {
            for (String name : Collections.list(request.getAttributeNames())) {
                if (!before.contains(name)) {
                    request.removeAttribute(name);
                }
            }
        }
    }

    private static IdempotentRoute.Commit commitOf(HandlerMethod method) {
        IdempotentRoute route = AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), IdempotentRoute.class);
        if (route == null) {
            route = AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), IdempotentRoute.class);
        }
        return route == null ? null : route.commit();
    }
}
