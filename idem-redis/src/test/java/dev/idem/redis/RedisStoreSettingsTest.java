package dev.idem.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.spi.RecordId;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The builder's validation and the key layout: no server needed (nothing here connects). */
class RedisStoreSettingsTest {

    private static RedisClient client;

    @BeforeAll
    static void createClient() {
        client = RedisClient.create();
    }

    @AfterAll
    static void shutDownClient() {
        client.shutdown(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void prefixesThatCouldMoveTheHashTagOrBreakTheKeyAreRefused() {
        for (String bad : new String[] {"", "a{b", "a}b", "with space", "tab\t", "é:", "x".repeat(129)}) {
            assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).keyPrefix(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key prefix");
        }
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).keyPrefix(null))
                .isInstanceOf(IllegalArgumentException.class);
        RedisIdempotencyStore.builder(client).keyPrefix("app:idem:").keyPrefix("x".repeat(128));
    }

    @Test
    void invalidChannelsAndTimeoutsAreRefused() {
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).channel(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel");
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).channel("a b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).commandTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).commandTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidReplicaAcknowledgementsAreRefusedBeforeConnecting() {
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).replicaAcknowledgements(-1, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicas");
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).replicaAcknowledgements(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).replicaAcknowledgements(1, null))
                .isInstanceOf(NullPointerException.class);
        // the builder refuses a wait as long as the command timeout before it tries to connect (no Redis here)
        assertThatThrownBy(() -> RedisIdempotencyStore.builder(client).commandTimeout(Duration.ofSeconds(1))
                .replicaAcknowledgements(1, Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shorter than the command timeout");
    }

    @Test
    void keysPutTheDigestOfTheWholeIdInsideTheHashTag() {
        RedisKeys keys = RedisKeys.of("idem:", null);
        RecordId tricky = new RecordId("a:{b}", "c}", "{d");
        RecordId shifted = new RecordId("a:", "{b}c}", "{d");

        assertThat(keys.channel()).isEqualTo("idem:events");
        assertThat(keys.key(tricky)).isEqualTo("idem:{" + tricky.digest() + "}").matches("idem:\\{[0-9a-f]{64}}");
        assertThat(keys.key(tricky)).isNotEqualTo(keys.key(shifted));
        assertThat(RedisKeys.of("p:", "custom-channel").channel()).isEqualTo("custom-channel");
    }

    @Test
    void everyScriptIsOnTheClasspath() {
        RedisRecords records = new RedisRecords(RedisKeys.of("idem:", null), true);

        assertThat(records.scripts()).extracting(LuaScript::name).containsExactly("claim", "finish", "release", "renew",
                "flag_waiter");
        assertThat(records.scripts()).allSatisfy(s -> assertThat(s.sha()).matches("[0-9a-f]{40}"));
    }
}
