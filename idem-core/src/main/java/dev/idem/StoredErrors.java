package dev.idem;

import dev.idem.spi.StoredError;
import java.lang.reflect.Constructor;
import java.util.Map;

/**
 * Converts an action's exception to a {@link StoredError} and back. Rebuilding only instantiates classes
 * that are {@link Throwable}s implementing {@link ReplayableError}, through one of their public
 * constructors, so a stored type name cannot make Idem instantiate arbitrary classes. Thread-safe.
 */
final class StoredErrors {

    private StoredErrors() {
    }

    /** The stored form of {@code error}; codes default to the simple class name when none is given. */
    public static StoredError toStored(Throwable error) {
        String code = error.getClass().getSimpleName();
        Map<String, String> details = Map.of();
        if (error instanceof ReplayableError replayable) {
            if (replayable.errorCode() != null) {
                code = replayable.errorCode();
            }
            if (replayable.errorDetails() != null) {
                details = replayable.errorDetails();
            }
        }
        return new StoredError(error.getClass().getName(), code, error.getMessage(), details);
    }

    /**
     * The unchecked exception to throw for a replayed error: the original type when it can be rebuilt
     * (checked types wrapped in {@link IdempotentActionException}, as on the first call), else a
     * {@link ReplayedErrorException}.
     */
    public static RuntimeException toThrowable(StoredError stored) {
        Throwable rebuilt = rebuild(stored);
        if (rebuilt == null) {
            return new ReplayedErrorException(stored.type(), stored.code(), stored.message(), stored.details());
        }
        if (rebuilt instanceof RuntimeException runtime) {
            return runtime;
        }
        return new IdempotentActionException(rebuilt);
    }

    private static Throwable rebuild(StoredError stored) {
        Class<?> type;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            type = Class.forName(stored.type(), false, loader != null ? loader : StoredErrors.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        if (!Throwable.class.isAssignableFrom(type) || !ReplayableError.class.isAssignableFrom(type)
                || Error.class.isAssignableFrom(type)) {
            return null;
        }
        Object[][] argumentLists = {
            {stored.code(), stored.message(), stored.details()},
            {stored.code(), stored.message()},
            {stored.message()},
        };
        Class<?>[][] signatures = {
            {String.class, String.class, Map.class},
            {String.class, String.class},
            {String.class},
        };
        for (int i = 0; i < signatures.length; i++) {
            try {
                Constructor<?> constructor = type.getConstructor(signatures[i]);
                Throwable candidate = (Throwable) constructor.newInstance(argumentLists[i]);
                if (stored.code().equals(((ReplayableError) candidate).errorCode())) {
                    return candidate;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // try the next constructor shape
            }
        }
        return null;
    }
}
