package dev.idem.postgres;

/**
 * Which order an auto-commit claim takes, learned from what recent claims found. For a new key the store's
 * one-statement claim (a CTE that reads, and inserts only when nothing is there) is fastest; a plain SELECT by key
 * first costs it a second round trip. For a key that exists, the SELECT alone answers and is cheaper than the CTE.
 * Measured on this project's machine (claim step alone, 1 / 4 callers): reading first made a replay 1.27 / 1.50
 * times as fast and a new key 0.96 / 0.93 times, which breaks even when about 60 % of claims find a record. So
 * claims read first while more than {@value #READ_FIRST_ABOVE_PERCENT} % of the last few dozen claims found a
 * record (a replay storm: clients retrying through a bad network, a webhook provider redelivering), and go back to
 * the CTE below {@value #CTE_BELOW_PERCENT} %. Either order gives the same outcome; only the cost differs.
 *
 * <p>Thread-safe without locks: the share is a moving average updated with plain volatile writes, and an update
 * lost to a race only nudges a heuristic.
 */
final class ClaimOrder {

    static final int READ_FIRST_ABOVE_PERCENT = 70;
    static final int CTE_BELOW_PERCENT = 50;

    private static final int SCALE = 1 << 20;
    private static final int SHIFT = 5; // each claim moves the average by 1/32 of the way: about the last 32 claims
    private static final int READ_FIRST_ABOVE = SCALE / 100 * READ_FIRST_ABOVE_PERCENT;
    private static final int CTE_BELOW = SCALE / 100 * CTE_BELOW_PERCENT;

    private final boolean fixed;
    private volatile int foundShare;
    private volatile boolean readFirst;

    private ClaimOrder(boolean fixed, boolean readFirst) {
        this.fixed = fixed;
        this.readFirst = readFirst;
    }

    /** Starts with the CTE and follows what claims find: the store's default. */
    static ClaimOrder learning() {
        return new ClaimOrder(false, false);
    }

    /** Always reads first, whatever claims find (tests run the store contract through this path). */
    static ClaimOrder alwaysReadFirst() {
        return new ClaimOrder(true, true);
    }

    /** Whether the next claim should read by key before it claims. */
    boolean readFirst() {
        return readFirst;
    }

    /** Notes whether a claim found a record it could not take (a replay, or a duplicate of a claim in progress). */
    void observe(boolean foundRecord) {
        if (fixed) {
            return;
        }
        int share = foundShare;
        share += ((foundRecord ? SCALE : 0) - share) >> SHIFT;
        foundShare = share;
        if (share > READ_FIRST_ABOVE) {
            readFirst = true;
        } else if (share < CTE_BELOW) {
            readFirst = false;
        }
    }
}
