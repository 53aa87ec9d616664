package dev.idem;

import dev.idem.spi.RecordId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts every listener callback by name, e.g. {@code count("onClaimed")}; takeovers also as "onClaimed.takeover". */
public final class CountingListener implements IdempotencyListener {

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public int count(String event) {
        AtomicInteger n = counts.get(event);
        return n == null ? 0 : n.get();
    }

    private void hit(String event) {
        counts.computeIfAbsent(event, e -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void onClaimed(RecordId id, boolean takeover) {
        hit("onClaimed");
        if (takeover) {
            hit("onClaimed.takeover");
        }
    }

    @Override
    public void onCompleted(RecordId id, boolean stored) {
        hit(stored ? "onCompleted" : "onCompleted.notStored");
    }

    @Override
    public void onResultReplayed(RecordId id) {
        hit("onResultReplayed");
    }

    @Override
    public void onErrorReplayed(RecordId id) {
        hit("onErrorReplayed");
    }

    @Override
    public void onErrorStored(RecordId id) {
        hit("onErrorStored");
    }

    @Override
    public void onReleased(RecordId id) {
        hit("onReleased");
    }

    @Override
    public void onConflict(RecordId id) {
        hit("onConflict");
    }

    @Override
    public void onKeyReused(RecordId id) {
        hit("onKeyReused");
    }

    @Override
    public void onFencedWrite(RecordId id) {
        hit("onFencedWrite");
    }

    @Override
    public void onWaited(RecordId id, Duration waited) {
        hit("onWaited");
    }

    @Override
    public void onPassThrough(String action) {
        hit("onPassThrough");
    }
}
