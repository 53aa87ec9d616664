package dev.idem.testing;

import static dev.idem.testing.RedisProcesses.awaitInSync;
import static dev.idem.testing.RedisProcesses.awaitPong;
import static dev.idem.testing.RedisProcesses.awaitUntil;
import static dev.idem.testing.RedisProcesses.cli;
import static dev.idem.testing.RedisProcesses.freePort;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Redis Cluster for tests: 3 masters and 3 replicas started from the machine's {@code redis-server} on free
 * loopback ports (nothing is downloaded, nothing kept on disk but the nodes' config files under
 * {@code target/redis-cluster}), formed with {@code redis-cli --cluster create}. One per JVM, stopped at exit.
 * Nodes can be killed (SIGKILL), paused (SIGSTOP) and restarted, so a test can fail a master over to its replica;
 * the node timeout is {@link #NODE_TIMEOUT}, and the client refreshes its view of the slots on every redirection and
 * each second.
 * Without {@code redis-server} and {@code redis-cli} on the PATH, {@link #get()} skips the calling test with one line.
 * Thread-safe.
 */
public final class RedisTestCluster {

    private static final int NODES = 6;
    /** How long a node may be unreachable before the others fail it over: short, so a failover takes seconds. */
    public static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);
    private static RedisTestCluster shared;

    private final String server;
    private final Path dir;
    private final List<Integer> ports;
    private final Map<Integer, Process> nodes;
    private final RedisClusterClient client;

    private RedisTestCluster(String server, Path dir, List<Integer> ports, Map<Integer, Process> nodes) {
        this.server = server;
        this.dir = dir;
        this.ports = List.copyOf(ports);
        this.nodes = nodes;
        this.client = RedisClusterClient.create(ports.stream()
                .map(p -> RedisURI.create("redis://127.0.0.1:" + p)).toList());
        // a failover moves slots to another node: the client learns it from the cluster at once (adaptive) or
        // within a second (periodic), as a production client should be configured
        client.setOptions(ClusterClientOptions.builder().topologyRefreshOptions(ClusterTopologyRefreshOptions
                .builder().enableAllAdaptiveRefreshTriggers().adaptiveRefreshTriggersTimeout(Duration.ofMillis(200))
                .enablePeriodicRefresh(Duration.ofSeconds(1)).build()).build());
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

    /** The master nodes' ports, from {@code CLUSTER NODES} (asked of a live node). */
    public List<Integer> masterPorts() {
        List<Integer> masters = new ArrayList<>();
        for (String[] node : clusterNodes()) {
            if (node[2].contains("master") && !node[2].contains("fail")) {
                masters.add(port(node));
            }
        }
        return masters;
    }

    /** The port of the replica of the master on {@code masterPort} (each master has one). */
    public int replicaOf(int masterPort) {
        String masterId = nodeId(masterPort);
        for (String[] node : clusterNodes()) {
            if (node[2].contains("slave") && node[3].equals(masterId)) {
                return port(node);
            }
        }
        throw new IllegalStateException("the master on port " + masterPort + " has no replica");
    }

    /** SIGKILL of the node on {@code port}: no shutdown, no last write to its replica. */
    public void kill(int port) {
        RedisProcesses.kill(nodes.get(port), port);
    }

    /**
     * Closes the master's replication connections ({@code CLIENT KILL TYPE replica}), as a network cut between
     * the master and its replicas would: what the master accepts next reaches no replica until one reconnects.
     */
    public void dropReplicationLinks(int masterPort) {
        String out = cli(Programs.onPath("redis-cli"), masterPort, "client", "kill", "type", "replica");
        if (!out.trim().matches("\\d+")) {
            throw new IllegalStateException("CLIENT KILL TYPE replica on port " + masterPort + " answered " + out);
        }
    }

    /** SIGSTOP of the node on {@code port}: it neither answers nor replicates until {@link #resume}. */
    public void pause(int port) {
        Programs.signal(nodes.get(port), "STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume(int port) {
        Programs.signal(nodes.get(port), "CONT");
    }

    /**
     * Starts the killed node on {@code port} again with its own {@code nodes.conf}: it rejoins the cluster (as the
     * replica of whichever node took its slots over) and this returns once it synchronised with its master.
     */
    public void restart(int port) {
        try {
            nodes.put(port, launch(server, dir, port));
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart redis-server on port " + port, e);
        }
        String cli = Programs.onPath("redis-cli");
        awaitPong(cli, port);
        awaitInSync(cli, port);
        awaitAgreement();
    }

    /** Waits until the node on {@code port} reports itself master of a cluster in state ok (after a failover). */
    public void awaitPromoted(int port) {
        String cli = Programs.onPath("redis-cli");
        awaitUntil(60, "port " + port + " promoted to master", () -> cli(cli, port, "cluster", "info")
                .contains("cluster_state:ok") && cli(cli, port, "role").startsWith("master"));
    }

    private List<String[]> clusterNodes() {
        String cli = Programs.onPath("redis-cli");
        for (int port : ports) {
            Process node = nodes.get(port);
            if (node == null || !node.isAlive()) {
                continue;
            }
            String out = cli(cli, port, "cluster", "nodes");
            if (!out.isBlank() && !out.startsWith("ERR") && !out.startsWith("Could not connect")) {
                List<String[]> lines = new ArrayList<>();
                for (String line : out.split("\n")) {
                    String[] fields = line.trim().split(" ");
                    if (fields.length > 3) {
                        lines.add(fields);
                    }
                }
                return lines;
            }
        }
        throw new IllegalStateException("no node of the cluster answers CLUSTER NODES");
    }

    private static int port(String[] node) {
        return Integer.parseInt(node[1].replaceAll(".*:(\\d+)@.*", "$1"));
    }


    /**
     * Moves {@code slots} hash slots, with their keys, from the master on {@code fromPort} to the one on
     * {@code toPort} ({@code redis-cli --cluster reshard}); returns how many slots it reported moving.
     */
    public int reshard(int fromPort, int toPort, int slots) {
        awaitAgreement();
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
        for (String[] node : clusterNodes()) {
            if (node[1].startsWith("127.0.0.1:" + port + "@")) {
                return node[0];
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
        Map<Integer, Process> nodes = new ConcurrentHashMap<>();
        try {
            for (int i = 0; i < NODES; i++) {
                int port = freePort();
                nodes.put(port, launch(server, dir, port));
                ports.add(port);
            }
            for (int port : ports) {
                awaitPong(cli, port);
            }
            List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process formed = new ProcessBuilder(create).redirectErrorStream(true).start();
            String output = new String(formed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!formed.waitFor(60, TimeUnit.SECONDS) || formed.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
            }
            for (int port : ports) {
                awaitUntil(60, "cluster_state:ok on port " + port,
                        () -> cli(cli, port, "cluster", "info").contains("cluster_state:ok"));
            }
            for (int port : ports) { // a replica's first full sync ends after the cluster reports ok
                awaitUntil(60, "replication in sync on port " + port, () -> {
                    String replication = cli(cli, port, "info", "replication");
                    return replication.contains("role:master") || replication.contains("master_link_status:up");
                });
            }
            return new RedisTestCluster(server, dir, ports, nodes);
        } catch (IOException e) {
            nodes.values().forEach(Process::destroyForcibly);
            throw new UncheckedIOException("could not start the Redis Cluster", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            nodes.values().forEach(Process::destroyForcibly);
            throw new IllegalStateException("interrupted while starting the Redis Cluster", e);
        } catch (RuntimeException e) {
            nodes.values().forEach(Process::destroyForcibly);
            throw e;
        }
    }

    private static Process launch(String server, Path dir, int port) throws IOException {
        Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
        return new ProcessBuilder(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()), "--appendonly", "no", "--save", "",
                "--dir", nodeDir.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile())).start();
    }

    /**
     * Waits until every node agrees on who serves which slots ({@code redis-cli --cluster check}): after a failover
     * the new configuration reaches the nodes by gossip, and a reshard refuses to start before it has.
     */
    public void awaitAgreement() {
        String cli = Programs.onPath("redis-cli");
        awaitUntil(60, "agreement of every node on the slots", () -> {
            for (int port : ports) {
                Process node = nodes.get(port);
                if (node != null && node.isAlive()) {
                    return clusterCheck(cli, port).contains("[OK] All nodes agree about slots configuration");
                }
            }
            return false;
        });
    }

    private static String clusterCheck(String cli, int port) {
        return RedisProcesses.run(List.of(cli, "--cluster", "check", "127.0.0.1:" + port));
    }


    private void stop() {
        client.shutdown();
        nodes.values().forEach(Process::destroyForcibly);
    }
}
