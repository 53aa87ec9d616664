package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClaimOrderTest {

    private final ClaimOrder order = ClaimOrder.learning();

    @Test
    void newKeysKeepTheOneStatementClaim() {
        observe(false, 1_000);

        assertThat(order.readFirst()).isFalse();
    }

    @Test
    void aRunOfReplaysSwitchesToReadingFirstAndNewKeysSwitchBack() {
        observe(true, 100);
        assertThat(order.readFirst()).as("after a replay storm").isTrue();

        observe(false, 100);
        assertThat(order.readFirst()).as("after new keys again").isFalse();
    }

    @Test
    void aMixBetweenTheThresholdsKeepsTheCurrentOrder() {
        // 3 in 5 claims find a record: between the 50 % and 70 % thresholds, so nothing flaps
        observe(true, 100);
        mixed(3, 5, 500);
        assertThat(order.readFirst()).as("from reading first").isTrue();

        observe(false, 100);
        mixed(3, 5, 500);
        assertThat(order.readFirst()).as("from the one-statement claim").isFalse();
    }

    @Test
    void aFixedOrderIgnoresWhatClaimsFind() {
        ClaimOrder fixed = ClaimOrder.alwaysReadFirst();

        for (int i = 0; i < 1_000; i++) {
            fixed.observe(false);
        }

        assertThat(fixed.readFirst()).isTrue();
    }

    private void observe(boolean found, int times) {
        for (int i = 0; i < times; i++) {
            order.observe(found);
        }
    }

    private void mixed(int found, int outOf, int times) {
        for (int i = 0; i < times; i++) {
            order.observe(i % outOf < found);
        }
    }
}
