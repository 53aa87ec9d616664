package dev.idem.testing;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Redis Cluster for tests: 3 masters and 3 replicas started from the machine's {@code redis-server} on free
 * loopback ports (nothing is downloaded, nothing kept on disk but the nodes' config files under
 * {@code target/redis-cluster}), formed with {@code redis-cli --cluster create}. One per JVM, stopped at exit.
 * Without {@code redis-server} and {@code redis-cli} on the PATH, {@link #get()} skips the calling test with one line.
 * Thread-safe.
 */
public final class RedisTestCluster {

    private static final int NODES = 6;
    private static RedisTestCluster shared;

    private final List<Integer> ports;
    private final List<Process> nodes;
    private final RedisClusterClient client;

    private RedisTestCluster(List<Integer> ports, List<Process> nodes) {
        this.ports = List.copyOf(ports);
        this.nodes = nodes;
        this.client = RedisClusterClient.create(ports.stream()
                .map(p -> RedisURI.create("redis://127.0.0.1:" + p)).toList());
    }

    /** The JVM's cluster, started on first use. */
    public static synchronized RedisTestCluster get() {
        String server = Programs.onPath("redis-server");
        String cli = Programs.onPath("redis-cli");
        Assumptions.assumeTrue(server != null && cli != null,
                "no redis-server and redis-cli on the PATH: the Redis Cluster tests are skipped");
        if (shared == null) {
            shared = start(server, cli);
            RedisTestCluster started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "redis-test-cluster-stop"));
        }
        return shared;
    }

    /** A cluster client over every node; shut down with the cluster. */
    public RedisClusterClient client() {
        return client;
    }

    /** The master nodes' ports, from {@code CLUSTER NODES}. */
    public List<Integer> masterPorts() {
        List<Integer> masters = new ArrayList<>();
        for (String line : cli(Programs.onPath("redis-cli"), ports.get(0), "cluster", "nodes").split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length > 2 && fields[2].contains("master") && !fields[2].contains("fail")) {
                masters.add(Integer.parseInt(fields[1].replaceAll(".*:(\\d+)@.*", "$1")));
            }
        }
        return masters;
    }

    /**
     * Moves {@code slots} hash slots, with their keys, from the master on {@code fromPort} to the one on
     * {@code toPort} ({@code redis-cli --cluster reshard}); returns how many slots it reported moving.
     */
    public int reshard(int fromPort, int toPort, int slots) {
        String cli = Programs.onPath("redis-cli");
        Process p;
        try {
            p = new ProcessBuilder(cli, "--cluster", "reshard", "127.0.0.1:" + ports.get(0), "--cluster-from",
                    nodeId(fromPort), "--cluster-to", nodeId(toPort), "--cluster-slots", Integer.toString(slots),
                    "--cluster-yes").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster reshard failed:\n" + output);
            }
            return (int) output.lines().filter(l -> l.startsWith("Moving slot ")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resharding", e);
        }
    }

    private String nodeId(int port) {
        for (String line : cli(Programs.onPath("redis-cli"), ports.get(0), "cluster", "nodes").split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length > 1 && fields[1].startsWith("127.0.0.1:" + port + "@")) {
                return fields[0];
            }
        }
        throw new IllegalStateException("no node on port " + port);
    }

    /** How many keys the node on {@code port} holds. */
    public long keysOn(int port) {
        return Long.parseLong(cli(Programs.onPath("redis-cli"), port, "dbsize").trim());
    }

    private static RedisTestCluster start(String server, String cli) {
        Path dir = Path.of("target", "redis-cluster").toAbsolutePath();
        List<Integer> ports = new ArrayList<>();
        List<Process> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                int port = freePort();
                Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
                nodes.add(new ProcessBuilder(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000", "--appendonly", "no", "--save", "",
                        "--dir", nodeDir.toString()).redirectErrorStream(true)
                        .redirectOutput(nodeDir.resolve("redis.log").toFile()).start());
                ports.add(port);
            }
            for (int port : ports) {
                awaitPing(cli, port);
            }
            List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process formed = new ProcessBuilder(create).redirectErrorStream(true).start();
            String output = new String(formed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!formed.waitFor(60, TimeUnit.SECONDS) || formed.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int port : ports) {
                while (!cli(cli, port, "cluster", "info").contains("cluster_state:ok")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the cluster did not reach cluster_state:ok in 60 s");
                    }
                    TimeUnit.MILLISECONDS.sleep(100); // polling the cluster's own state, no event to wait on
                }
            }
            return new RedisTestCluster(ports, nodes);
        } catch (IOException e) {
            nodes.forEach(Process::destroyForcibly);
            throw new UncheckedIOException("could not start the Redis Cluster", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            nodes.forEach(Process::destroyForcibly);
            throw new IllegalStateException("interrupted while starting the Redis Cluster", e);
        } catch (RuntimeException e) {
            nodes.forEach(Process::destroyForcibly);
            throw e;
        }
    }

    private void stop() {
        client.shutdown();
        nodes.forEach(Process::destroyForcibly);
    }

    private static void awaitPing(String cli, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cli(cli, port, "ping").contains("PONG")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server on port " + port + " did not answer PING in 30 s");
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling a starting process, no event to wait on
        }
    }

    private static String cli(String cli, int port, String... command) {
        List<String> args = new ArrayList<>(List.of(cli, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        args.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
