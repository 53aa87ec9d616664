package dev.idem;

import java.util.Map;

/** A deterministic error without any constructor shape Idem can rebuild, so replays become ReplayedErrorException. */
public class OpaqueReplayableException extends RuntimeException implements ReplayableError {

    private static final long serialVersionUID = 1L;

    private final int amount;

    public OpaqueReplayableException(int amount) {
        super("amount " + amount + " exceeds the limit");
        this.amount = amount;
    }

    @Override
    public String errorCode() {
        return "LIMIT_EXCEEDED";
    }

    @Override
    public Map<String, String> errorDetails() {
        return Map.of("amount", Integer.toString(amount));
    }
}
