package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.reliability.FaultProxy.Cut;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * One instance on the Redis store loses Redis (its proxy cuts every connection and refuses new ones) at the moment a
 * script goes out: the claim or the completion, each both before it reaches Redis and after it ran there with its
 * reply lost. As on PostgreSQL ({@link DatabaseOutageTest}): the request is never run unprotected, answers 503 unless
 * its action already produced a result, and after Redis comes back the client's retries (same key) end with exactly
 * one effect and one answer. The scripts are recognised on the wire by their SHA-1 ({@code EVALSHA}).
 */
class RedisOutageTest extends DatabaseOutageTest {

    private static final String CLAIM = scriptSha("claim");
    private static final String COMPLETION = scriptSha("finish");

    @Override
    protected Cluster cluster() {
        return Cluster.onRedis();
    }

    @Override
    protected String claimMarker() {
        return CLAIM;
    }

    @Override
    protected FaultProxy storeProxy() {
        return app.redis;
    }

    @Test
    @Override
    void outageDuringClaimActionOrCompletionNeverRunsUnprotectedAndEndsInOneEffect() throws Exception {
        for (Cut cut : Cut.values()) {
            // before it reaches Redis nothing exists; after it ran, a claim nobody works on blocks the key until its
            // lease ends, then a retry takes over and runs it once
            outage("/api/effects", CLAIM, cut, 503, 0, 1);
        }
        // the action ran and its caller gets the result; if the completion never reached Redis, the retry after the
        // lease runs the action again and finds its effect already written (derived key)
        outage("/api/effects", COMPLETION, Cut.BEFORE_FORWARD, 201, 1, 2);
        outage("/api/effects", COMPLETION, Cut.AFTER_FORWARD, 201, 1, 1);
        assertThat(lost).as("final answers the stored record does not hold").isZero();
        Report.row(cluster.fault("store lost (proxy cut) before or after the claim or the completion"), injected,
                invocations + " invocations, " + effects + " effects for " + injected + " keys", lost,
                "503 whenever no result existed yet; nothing ran while the claim was not recorded; a second"
                        + " invocation only after a lost completion, its effect written once");
    }

    /** The SHA-1 Redis knows the store's script {@code name} by, as {@code EVALSHA} sends it. */
    private static String scriptSha(String name) {
        try (InputStream in = RedisOutageTest.class.getResourceAsStream("/dev/idem/redis/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("dev/idem/redis/" + name + ".lua is not on the class path");
            }
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
