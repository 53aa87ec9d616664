package dev.idem.spring;

import dev.idem.Fingerprint;
import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotentActionException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
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
    private final Map<Method, Parsed> cache = new ConcurrentHashMap<>();

    IdempotentMethodInterceptor(ObjectProvider<Idempotency> idempotency) {
        this.idempotency = idempotency;
    }

    private record Parsed(String action, Expression key, Expression scope) {
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Class<?> targetClass = target != null ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass();
        Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), targetClass);
        Parsed parsed = cache.computeIfAbsent(method, m -> parse(m, targetClass));
        Object[] args = invocation.getArguments();
        MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(target, method, args, parameterNames);
        Object key = parsed.key().getValue(context);
        Object scope = parsed.scope() == null ? "" : parsed.scope().getValue(context);
        Idempotency engine = idempotency.getObject();
        IdempotencyRequest request = IdempotencyRequest.builder(parsed.action())
                .scope(scope == null ? "" : scope.toString())
                .key(key == null ? null : key.toString())
                .fingerprint(fingerprint(engine, args))
                .build();
        Type returnType = method.getReturnType() == void.class ? Void.class : method.getGenericReturnType();
        try {
            return engine.execute(request, returnType, () -> proceed(invocation));
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
        return new Parsed(action, parser.parseExpression(annotation.key()), scope);
    }

    /** The SHA-256 of the codec's bytes of the arguments; without a codec for them, no payload check. */
    private static Fingerprint fingerprint(Idempotency engine, Object[] args) {
        if (args.length == 0) {
            return Fingerprint.EMPTY;
        }
        try {
            return Fingerprint.of(engine.codec().encode(Arrays.asList(args), Object.class));
        } catch (RuntimeException e) {
            log.debug("The result codec cannot encode these arguments; reused keys are not checked against them", e);
            return Fingerprint.EMPTY;
        }
    }
}
