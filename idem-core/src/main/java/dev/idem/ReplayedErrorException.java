package dev.idem;

import java.util.Map;

/**
 * A stored deterministic error replayed to a retry whose original exception class could not be rebuilt
 * (no suitable constructor, or the class is gone). Carries the original type, code, message and details.
 */
public class ReplayedErrorException extends IdempotencyException implements ReplayableError {

    private static final long serialVersionUID = 1L;

    private final String originalType;
    private final String code;
    private final Map<String, String> details;

    public ReplayedErrorException(String originalType, String code, String message, Map<String, String> details) {
        super(message);
        this.originalType = originalType;
        this.code = code;
        this.details = Map.copyOf(details);
    }

    /** The class name of the exception first thrown by the action. */
    public String originalType() {
        return originalType;
    }

    @Override
    public String errorCode() {
        return code;
    }

    @Override
    public Map<String, String> errorDetails() {
        return details;
    }
}
