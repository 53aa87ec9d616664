package dev.idem.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the Redis fixtures do with {@code redis-server} processes: ask with {@code redis-cli}, wait, kill. */
final class RedisProcesses {

    private RedisProcesses() {
    }

    /** {@code redis-cli -p port command...}'s output, or "" when it could not run. */
    static String cli(String cli, int port, String... command) {
        List<String> args = new ArrayList<>(List.of(cli, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        args.addAll(List.of(command));
        return run(args);
    }

    /** A program's output (stdout and stderr) once it ended, or "" when it could not run. */
    static String run(List<String> args) {
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

    /** Polls {@code condition} (the servers' own state: there is no event to wait on) for {@code seconds} at most. */
    static void awaitUntil(int seconds, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no " + what + " within " + seconds + " s");
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    /** Waits until the server on {@code port} answers PING (it is starting). */
    static void awaitPong(String cli, int port) {
        awaitUntil(30, "PONG from redis-server on port " + port, () -> cli(cli, port, "ping").contains("PONG"));
    }

    /** Waits until the replica on {@code port} finished its sync with its master. */
    static void awaitInSync(String cli, int port) {
        awaitUntil(60, "port " + port + " in sync with its master",
                () -> cli(cli, port, "info", "replication").contains("master_link_status:up"));
    }

    /** SIGKILL, and waits for the process to be gone. */
    static void kill(Process node, int port) {
        node.destroyForcibly();
        try {
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing port " + port, e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
