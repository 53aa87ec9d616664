package dev.idem.micrometer;

import dev.idem.IdempotencyListener;
import dev.idem.spi.RecordId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Counts the engine's decisions in Micrometer, every meter tagged {@code action}: {@code idem.claims}
 * (tag {@code takeover}), {@code idem.completions}, {@code idem.replays} (tag {@code kind=result|error}),
 * {@code idem.conflicts}, {@code idem.key.reused}, {@code idem.fenced.writes}, {@code idem.released},
 * {@code idem.errors.stored}, {@code idem.pass.through} and the timer {@code idem.wait}. Path segments that look
 * like ids are folded to {@code {id}} in the tag, so HTTP actions keep a bounded cardinality. Thread-safe.
 */
public final class MicrometerIdempotencyListener implements IdempotencyListener {

    private static final Pattern ID_SEGMENT = Pattern.compile("/(?:[0-9]+|[0-9a-fA-F-]{8,}|[A-Za-z0-9_-]{20,})(?=/|$)");

    private final MeterRegistry registry;

    public MicrometerIdempotencyListener(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The {@code action} tag for an action name: id-like path segments become {@code {id}}. */
    static String actionTag(String action) {
        return ID_SEGMENT.matcher(action).replaceAll("/{id}");
    }

    private void count(String name, RecordId id, String... tags) {
        registry.counter(name, withAction(actionTag(id.action()), tags)).increment();
    }

    private static String[] withAction(String action, String... tags) {
        String[] all = new String[tags.length + 2];
        all[0] = "action";
        all[1] = action;
        System.arraycopy(tags, 0, all, 2, tags.length);
        return all;
    }

    @Override
    public void onClaimed(RecordId id, boolean takeover) {
        count("idem.claims", id, "takeover", Boolean.toString(takeover));
    }

    @Override
    public void onCompleted(RecordId id, boolean stored) {
        count("idem.completions", id, "stored", Boolean.toString(stored));
    }

    @Override
    public void onResultReplayed(RecordId id) {
        count("idem.replays", id, "kind", "result");
    }

    @Override
    public void onErrorReplayed(RecordId id) {
        count("idem.replays", id, "kind", "error");
    }

    @Override
    public void onErrorStored(RecordId id) {
        count("idem.errors.stored", id);
    }

    @Override
    public void onReleased(RecordId id) {
        count("idem.released", id);
    }

    @Override
    public void onConflict(RecordId id) {
        count("idem.conflicts", id);
    }

    @Override
    public void onKeyReused(RecordId id) {
        count("idem.key.reused", id);
    }

    @Override
    public void onFencedWrite(RecordId id) {
        count("idem.fenced.writes", id);
    }

    @Override
    public void onWaited(RecordId id, Duration waited) {
        Timer.builder("idem.wait").description("time a duplicate waited for the first request with its key")
                .tag("action", actionTag(id.action())).publishPercentileHistogram().register(registry).record(waited);
    }

    @Override
    public void onPassThrough(String action) {
        registry.counter("idem.pass.through", "action", actionTag(action)).increment();
    }
}
