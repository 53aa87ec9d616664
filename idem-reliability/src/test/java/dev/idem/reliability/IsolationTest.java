package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Keys are per user: user B sending user A's key (same route, same body, on any instance) runs B's own request and
 * never gets A's response; both keep replaying their own.
 */
class IsolationTest {

    private static final int KEYS = 50;

    private final Cluster cluster = Cluster.get();

    @Test
    void anotherUsersKeyRunsAsTheirOwnRequestAndNeverReplaysTheFirstUsersResponse() throws Exception {
        long bobBefore = cluster.db.count("SELECT count(*) FROM practice_sessions WHERE user_id = 'bob'");
        long aliceBefore = cluster.db.count("SELECT count(*) FROM practice_sessions WHERE user_id = 'alice'");
        int lost = 0;
        for (int i = 0; i < KEYS; i++) {
            String key = "shared-" + UUID.randomUUID();
            String body = "{\"questionCount\":2}";
            Http.Reply alice = Http.post(cluster.instance(i % 3).uri("/api/practice-sessions"), Cluster.ALICE, key,
                    body);
            Http.Reply bob = Http.post(cluster.instance((i + 1) % 3).uri("/api/practice-sessions"), Cluster.BOB, key,
                    body);
            assertThat(alice.status()).isEqualTo(201);
            assertThat(bob.status()).isEqualTo(201);
            assertThat(bob.replayed()).as("bob's first use of alice's key is not a replay").isFalse();
            assertThat(bob.body()).isNotEqualTo(alice.body());

            Http.Reply aliceAgain = Http.post(cluster.instance((i + 2) % 3).uri("/api/practice-sessions"),
                    Cluster.ALICE, key, body);
            Http.Reply bobAgain = Http.post(cluster.instance(i % 3).uri("/api/practice-sessions"), Cluster.BOB, key,
                    body);
            assertThat(aliceAgain.replayed()).isTrue();
            assertThat(aliceAgain.body()).isEqualTo(alice.body());
            assertThat(bobAgain.replayed()).isTrue();
            assertThat(bobAgain.body()).isEqualTo(bob.body());
            lost += cluster.recordHolds("alice", key, alice.body()) && cluster.recordHolds("bob", key, bob.body())
                    && !cluster.recordHolds("bob", key, alice.body()) ? 0 : 1;
        }
        assertThat(lost).as("keys whose per-user records do not hold each user's own answer").isZero();
        assertThat(cluster.db.count("SELECT count(*) FROM practice_sessions WHERE user_id = 'bob'") - bobBefore)
                .isEqualTo(KEYS);
        assertThat(cluster.db.count("SELECT count(*) FROM practice_sessions WHERE user_id = 'alice'") - aliceBefore)
                .isEqualTo(KEYS);
        Report.row("another user's key", KEYS, KEYS + " sessions for alice, " + KEYS + " for bob", lost,
                "bob never got alice's response; each replayed only their own");
    }
}
