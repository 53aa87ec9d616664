package dev.idem;

import java.util.Map;

/** A deterministic business error that Idem can rebuild on replay (it has the (code, message, details) constructor). */
public class DeclinedException extends RuntimeException implements ReplayableError {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final Map<String, String> details;

    public DeclinedException(String code, String message, Map<String, String> details) {
        super(message);
        this.code = code;
        this.details = Map.copyOf(details);
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
