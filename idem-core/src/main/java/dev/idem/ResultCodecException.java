package dev.idem;

/**
 * A result could not be encoded for storage or decoded for replay. When encoding fails after the action
 * ran, the record is marked failed with this error so that a retry does not run the action again.
 */
public class ResultCodecException extends IdempotencyException implements ReplayableError {

    private static final long serialVersionUID = 1L;

    public ResultCodecException(String message) {
        super(message);
    }

    public ResultCodecException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String errorCode() {
        return "IDEM_RESULT_CODEC";
    }
}
