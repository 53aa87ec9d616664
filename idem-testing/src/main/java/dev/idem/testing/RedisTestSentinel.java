package dev.idem.testing;

import static dev.idem.testing.RedisProcesses.awaitInSync;
import static dev.idem.testing.RedisProcesses.awaitPong;
import static dev.idem.testing.RedisProcesses.awaitUntil;
import static dev.idem.testing.RedisProcesses.cli;
import static dev.idem.testing.RedisProcesses.freePort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A Redis master, its replica and one Sentinel watching them (quorum 1, the master marked down after
 * {@value #DOWN_AFTER_MS} ms), started from the machine's {@code redis-server} on free loopback ports; nothing is
 * downloaded, nothing kept on disk but the configs under {@code target/redis-sentinel}. A test can SIGKILL the master
 * and start it again; Sentinel promotes the replica and turns the old master into its replica. Started anew by each
 * {@link #start()} (one per test class), stopped by {@link #close()}. Without {@code redis-server} and
 * {@code redis-cli} on the PATH, {@link #start()} skips the calling test with one line. Not thread-safe.
 */
public final class RedisTestSentinel implements AutoCloseable {

    /** The name Sentinel knows the master by. */
    public static final String MASTER_NAME = "idem-test";
    private static final int DOWN_AFTER_MS = 2000;

    private final String server;
    private final String cli;
    private final Path dir;
    private final int sentinelPort;
    private final int[] dataPorts;
    private final Process[] data = new Process[2];
    private Process sentinel;

    private RedisTestSentinel(String server, String cli, Path dir) {
        this.server = server;
        this.cli = cli;
        this.dir = dir;
        this.dataPorts = new int[] {freePort(), freePort()};
        this.sentinelPort = freePort();
    }

    /** Starts the master, the replica (in sync) and the Sentinel (watching the master). */
    public static RedisTestSentinel start() {
        String server = Programs.onPath("redis-server");
        String cli = Programs.onPath("redis-cli");
        Assumptions.assumeTrue(server != null && cli != null,
                "no redis-server and redis-cli on the PATH: the Redis Sentinel tests are skipped");
        RedisTestSentinel started = null;
        try {
            Path dir = Files.createDirectories(Path.of("target", "redis-sentinel",
                    Long.toHexString(System.nanoTime())).toAbsolutePath());
            started = new RedisTestSentinel(server, cli, dir);
            started.launchData(0, null);
            started.launchData(1, started.dataPorts[0]);
            awaitInSync(cli, started.dataPorts[1]);
            started.launchSentinel();
            RedisTestSentinel s = started;
            awaitUntil(30, "the Sentinel to see the replica", () -> cli(s.cli, s.sentinelPort, "sentinel",
                    "replicas", MASTER_NAME).contains(Integer.toString(s.dataPorts[1])));
            return started;
        } catch (IOException e) {
            if (started != null) {
                started.close();
            }
            throw new UncheckedIOException("could not start Redis with Sentinel", e);
        } catch (RuntimeException e) {
            if (started != null) {
                started.close();
            }
            throw e;
        }
    }

    /** The Lettuce URI that finds the master through the Sentinel: {@code redis-sentinel://127.0.0.1:port#idem-test}. */
    public String uri() {
        return "redis-sentinel://127.0.0.1:" + sentinelPort + "#" + MASTER_NAME;
    }

    /** The port of the current master, as the Sentinel reports it. */
    public int masterPort() {
        String[] reply = cli(cli, sentinelPort, "sentinel", "get-master-addr-by-name", MASTER_NAME).trim()
                .split("\\s+");
        return Integer.parseInt(reply[reply.length - 1]);
    }

    /** The port of the node that is not the current master. */
    public int replicaPort() {
        int master = masterPort();
        return dataPorts[0] == master ? dataPorts[1] : dataPorts[0];
    }

    /** SIGKILL of the node on {@code port}. */
    public void kill(int port) {
        RedisProcesses.kill(data[index(port)], port);
    }

    /** Waits until the Sentinel names the node on {@code port} as the master and that node says it is. */
    public void awaitPromoted(int port) {
        awaitUntil(60, "port " + port + " promoted by the Sentinel", () -> {
            try {
                return masterPort() == port && cli(cli, port, "role").startsWith("master");
            } catch (RuntimeException e) {
                return false; // the Sentinel is between states
            }
        });
    }

    /**
     * Starts the killed node on {@code port} again as the current master's replica, and returns once it is in sync.
     * It is started as a replica, not as the empty master a restarted server without persistence would be: the
     * Sentinel would turn that one into a replica too, but until then a second failover could promote it and every
     * key would be gone (seen here with a 1 s down-after: the Sentinel failed back to the empty node within a second).
     */
    public void restart(int port) {
        try {
            launchData(index(port), masterPort());
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart redis-server on port " + port, e);
        }
        awaitInSync(cli, port);
    }

    @Override
    public void close() {
        if (sentinel != null) {
            sentinel.destroyForcibly();
        }
        for (Process node : data) {
            if (node != null) {
                node.destroyForcibly();
            }
        }
    }

    private void launchData(int i, Integer replicaOf) throws IOException {
        int port = dataPorts[i];
        Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
        List<String> command = new ArrayList<>(List.of(server, "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--appendonly", "no", "--save", "", "--dir", nodeDir.toString()));
        if (replicaOf != null) {
            command.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(replicaOf)));
        }
        data[i] = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile())).start();
        awaitPong(cli, port);
    }

    private void launchSentinel() throws IOException {
        Path config = dir.resolve("sentinel.conf");
        Files.writeString(config, String.join("\n",
                "port " + sentinelPort,
                "bind 127.0.0.1",
                "dir " + dir,
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + dataPorts[0] + " 1",
                "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
                "sentinel failover-timeout " + MASTER_NAME + " 10000",
                "sentinel parallel-syncs " + MASTER_NAME + " 1", ""), StandardCharsets.UTF_8);
        sentinel = new ProcessBuilder(server, config.toString(), "--sentinel").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sentinel.log").toFile())).start();
        awaitPong(cli, sentinelPort);
    }


    private int index(int port) {
        if (dataPorts[0] == port) {
            return 0;
        }
        if (dataPorts[1] == port) {
            return 1;
        }
        throw new IllegalArgumentException("no node of this set-up on port " + port);
    }



}
