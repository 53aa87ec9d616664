package dev.idem.spring;

import dev.idem.Idempotency;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Proxies beans with {@link Idempotent} methods (class proxies, like {@code @Validated} and {@code @Async}), needing
 * only spring-aop. The engine is looked up at the first call, so this post-processor does not initialise it early.
 */
public class IdempotentMethodPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final long serialVersionUID = 1L;

    public IdempotentMethodPostProcessor(ObjectProvider<Idempotency> idempotency) {
        this.advisor = new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(null, Idempotent.class, true),
                new IdempotentMethodInterceptor(idempotency));
        setProxyTargetClass(true);
        setBeforeExistingAdvisors(true);
    }
}
