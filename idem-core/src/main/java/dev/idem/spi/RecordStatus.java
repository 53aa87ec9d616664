package dev.idem.spi;

/** The three live states of an idempotency record (an absent or expired record has no status). */
public enum RecordStatus {
    /** Claimed by an owner whose lease has not been released; the action is (or was) running. */
    IN_PROGRESS,
    /** The action returned; the stored result is replayed to every retry until the record expires. */
    COMPLETED,
    /** The action failed deterministically; the stored error is replayed to every retry. */
    FAILED
}
