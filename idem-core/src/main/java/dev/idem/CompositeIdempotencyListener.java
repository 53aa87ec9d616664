package dev.idem;

import dev.idem.spi.RecordId;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link IdempotencyListener#composite}: tells every listener, in order, about each decision (the Spring Boot starter
 * joins the application's listeners and its metrics this way). A listener that throws is logged and skipped; the
 * others still hear about the event. Immutable and thread-safe.
 */
final class CompositeIdempotencyListener implements IdempotencyListener {

    private static final Logger log = LoggerFactory.getLogger(CompositeIdempotencyListener.class);

    private final List<IdempotencyListener> listeners;

    private CompositeIdempotencyListener(List<IdempotencyListener> listeners) {
        this.listeners = listeners;
    }

    static IdempotencyListener of(List<IdempotencyListener> listeners) {
        return switch (listeners.size()) {
            case 0 -> IdempotencyListener.NONE;
            case 1 -> listeners.get(0);
            default -> new CompositeIdempotencyListener(List.copyOf(listeners));
        };
    }

    private void each(Consumer<IdempotencyListener> event) {
        for (IdempotencyListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.warn("Idempotency listener {} failed; ignored", listener, e);
            }
        }
    }

    @Override
    public void onClaimed(RecordId id, boolean takeover) {
        each(l -> l.onClaimed(id, takeover));
    }

    @Override
    public void onCompleted(RecordId id, boolean stored) {
        each(l -> l.onCompleted(id, stored));
    }

    @Override
    public void onResultReplayed(RecordId id) {
        each(l -> l.onResultReplayed(id));
    }

    @Override
    public void onErrorReplayed(RecordId id) {
        each(l -> l.onErrorReplayed(id));
    }

    @Override
    public void onErrorStored(RecordId id) {
        each(l -> l.onErrorStored(id));
    }

    @Override
    public void onReleased(RecordId id) {
        each(l -> l.onReleased(id));
    }

    @Override
    public void onConflict(RecordId id) {
        each(l -> l.onConflict(id));
    }

    @Override
    public void onKeyReused(RecordId id) {
        each(l -> l.onKeyReused(id));
    }

    @Override
    public void onFencedWrite(RecordId id) {
        each(l -> l.onFencedWrite(id));
    }

    @Override
    public void onWaited(RecordId id, Duration waited) {
        each(l -> l.onWaited(id, waited));
    }

    @Override
    public void onPassThrough(String action) {
        each(l -> l.onPassThrough(action));
    }
}
