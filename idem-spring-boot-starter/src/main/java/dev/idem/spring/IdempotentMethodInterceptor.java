package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotentActionException;
import dev.idem.MissingKeyPolicy;
import dev.idem.spi.Fingerprint;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * Runs {@link Idempotent} methods through the engine: key and scope from SpEL over the parameters, fingerprint
 * from the codec's bytes of the arguments, result type from the method's generic return type. Checked exceptions
 * the method declares are rethrown as themselves. Thread-safe.
 */
final class IdempotentMethodInterceptor implements MethodInterceptor {

    private static final Logger log = LoggerFactory.getLogger(IdempotentMethodInterceptor.class);

    private final ObjectProvider<Idempotency> idempotency;
    private final SpelExpressionParser parser = new SpelExpressionParser();
    private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();
    private final Map<MethodClassKey, Parsed> cache = new ConcurrentHashMap<>();
    private final Set<Method> unencodable = ConcurrentHashMap.newKeySet();

    IdempotentMethodInterceptor(ObjectProvider<Idempotency> idempotency) {
        this.idempotency = idempotency;
    }

    private record Parsed(String action, Expression key, Expression scope, MissingKeyPolicy missingKeyPolicy) {
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Class<?> targetClass = target != null ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass();
        Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), targetClass);
        Parsed parsed = cache.computeIfAbsent(new MethodClassKey(method, targetClass), k -> parse(method, targetClass));
        Object[] args = invocation.getArguments();
        MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(target, method, args, parameterNames);
        Object key = parsed.key().getValue(context);
        Object scope = parsed.scope() == null ? "" : parsed.scope().getValue(context);
        Idempotency engine = idempotency.getObject();
        MissingKeyPolicy policy = parsed.missingKeyPolicy() != null
                ? parsed.missingKeyPolicy() : engine.config().missingKeyPolicy();
        // Without a key under DERIVE_FROM_CONTENT the fingerprint is the key: it must not silently fall back to empty.
        boolean fingerprintIsKey = key == null && policy instanceof MissingKeyPolicy.DeriveFromContent;
        IdempotencyRequest.Builder request = IdempotencyRequest.builder(parsed.action())
                .scope(scope == null ? "" : scope.toString())
                .key(key == null ? null : key.toString())
                .fingerprint(fingerprint(engine, method, args, fingerprintIsKey));
        if (parsed.missingKeyPolicy() != null) {
            request.missingKeyPolicy(parsed.missingKeyPolicy());
        }
        Type returnType = method.getReturnType() == void.class ? Void.class : method.getGenericReturnType();
        try {
            return engine.execute(request.build(), returnType, () -> proceed(invocation));
        } catch (IdempotentActionException e) {
            Throwable cause = e.getCause();
            for (Class<?> declared : method.getExceptionTypes()) {
                if (declared.isInstance(cause)) {
                    throw cause;
                }
            }
            throw e;
        }
    }

    private static Object proceed(MethodInvocation invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private Parsed parse(Method method, Class<?> targetClass) {
        Idempotent annotation = AnnotatedElementUtils.findMergedAnnotation(method, Idempotent.class);
        if (annotation == null) {
            throw new IllegalStateException("@Idempotent not found on " + method);
        }
        String action = annotation.action().isBlank()
                ? targetClass.getSimpleName() + "." + method.getName() : annotation.action();
        Expression scope = annotation.scope().isBlank() ? null : parser.parseExpression(annotation.scope());
        return new Parsed(action, parser.parseExpression(annotation.key()), scope, missingKeyPolicy(annotation, method));
    }

    /** The method's own policy, or null to use the engine's. */
    static MissingKeyPolicy missingKeyPolicy(Idempotent annotation, Method method) {
        MissingKeyPolicy.Kind[] kinds = annotation.missingKeyPolicy();
        if (kinds.length == 0) {
            return null;
        }
        if (kinds.length > 1) {
            throw new IllegalStateException("@Idempotent(missingKeyPolicy = ...) on " + method + " names "
                    + kinds.length + " policies; name one, or none for idem.missing-key-policy");
        }
        try {
            return MissingKeyPolicy.of(kinds[0], kinds[0] == MissingKeyPolicy.Kind.DERIVE_FROM_CONTENT
                    ? DurationStyle.detectAndParse(annotation.dedupWindow()) : null);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("@Idempotent(dedupWindow = \"" + annotation.dedupWindow()
                    + "\") on " + method + " is not a positive duration: " + e.getMessage(), e);
        }
    }

    /**
     * The SHA-256 of the codec's bytes of the arguments. When the codec cannot encode them, reused keys are not
     * checked against the arguments (logged once per method), unless the fingerprint serves as the key.
     */
    private Fingerprint fingerprint(Idempotency engine, Method method, Object[] args, boolean required) {
        if (args.length == 0) {
            return Fingerprint.EMPTY;
        }
        try {
            return Fingerprint.of(engine.codec().encode(Arrays.asList(args), Object.class));
        } catch (RuntimeException e) {
            if (required) {
                throw new IllegalStateException("@Idempotent " + method + " derives its key from its arguments,"
                        + " but the result codec cannot encode them: " + e.getMessage(), e);
            }
            if (unencodable.add(method)) {
                log.warn("The result codec cannot encode the arguments of @Idempotent {}; a key reused with other"
                        + " arguments is not detected ({})", method, e.getMessage());
            }
            return Fingerprint.EMPTY;
        }
    }
}
