package dev.idem.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in the test JVM that injects network faults on command: cut every connection (and refuse new ones)
 * until healed, cut at the moment the client sends given bytes (an SQL statement on its way to PostgreSQL: the
 * app's JDBC URL disables server-side prepared statements so the text is on the wire every time), or swallow the
 * next response (the server answered, the client never sees it). Thread-safe.
 */
final class FaultProxy implements AutoCloseable {

    /** Whether a triggered cut lets the triggering bytes through first. */
    enum Cut {
        /** The statement never reaches the server. */
        BEFORE_FORWARD,
        /** The statement reaches the server (and runs, and commits in auto-commit), but its reply is lost. */
        AFTER_FORWARD
    }

    private record Trigger(String marker, Cut cut, CompletableFuture<String> fired) {
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;
    private final AtomicReference<Trigger> trigger = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<byte[]>> dropNextResponse = new AtomicReference<>();
    private volatile boolean down;

    private FaultProxy(String name, InetSocketAddress target) throws IOException {
        this.name = name;
        this.target = target;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "proxy-" + name + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.submit(this::acceptLoop);
    }

    /** A proxy listening on a free loopback port and forwarding to {@code host:port}. */
    static FaultProxy start(String name, String host, int port) {
        try {
            return new FaultProxy(name, new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("could not start the proxy " + name, e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Closes every connection and refuses new ones until {@link #heal()}. */
    void cut() {
        down = true;
        links.forEach(Link::close);
    }

    /** Accepts and forwards connections again. */
    void heal() {
        down = false;
    }

    /**
     * Cuts (as {@link #cut()}) when a client next sends bytes containing {@code marker}; the proxy then stays cut
     * until {@link #heal()}. The future completes when the cut happened, with the printable text of the bytes that
     * triggered it.
     */
    CompletableFuture<String> cutWhenClientSends(String marker, Cut cut) {
        Trigger armed = new Trigger(marker, cut, new CompletableFuture<>());
        trigger.set(armed);
        return armed.fired();
    }

    /**
     * Swallows the next response: the server's bytes are read (until it pauses for 300 ms) but the client's
     * connection is closed instead of receiving them. The future holds the swallowed bytes.
     */
    CompletableFuture<byte[]> dropNextResponse() {
        CompletableFuture<byte[]> dropped = new CompletableFuture<>();
        dropNextResponse.set(dropped);
        return dropped;
    }

    @Override
    public void close() {
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (down) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 2_000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                Link link = new Link(client, upstream);
                links.add(link);
                threads.submit(link::clientToServer);
                threads.submit(link::serverToClient);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("proxy " + name + ": accept failed: " + e);
                }
            }
        }
    }

    /** One proxied connection: two sockets and a pump per direction. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        /** Set while a triggered statement's reply must be swallowed; completed by its first byte. */
        private volatile CompletableFuture<Void> swallowedReply;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void clientToServer() {
            byte[] buffer = new byte[64 * 1024];
            String tail = "";
            try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    String seen = tail + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                    Trigger armed = trigger.get();
                    // a match must end in the new bytes: the tail only catches a marker split across two reads
                    int from = Math.max(0, tail.length() - markerLength(armed) + 1);
                    if (armed != null && seen.indexOf(armed.marker(), from) >= 0
                            && trigger.compareAndSet(armed, null)) {
                        if (armed.cut() == Cut.AFTER_FORWARD) {
                            CompletableFuture<Void> reply = new CompletableFuture<>();
                            swallowedReply = reply;
                            out.write(buffer, 0, n);
                            out.flush();
                            awaitServerReply(reply);
                        }
                        cut();
                        armed.fired().complete(seen.replaceAll("[^\\x20-\\x7e]", "."));
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    tail = seen.substring(Math.max(0, seen.length() - 256));
                }
            } catch (IOException e) {
                // the other side closed, or the proxy cut
            } finally {
                close();
            }
        }

        void serverToClient() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    CompletableFuture<Void> swallowed = swallowedReply;
                    if (swallowed != null) {
                        swallowed.complete(null);
                        return;
                    }
                    CompletableFuture<byte[]> drop = dropNextResponse.getAndSet(null);
                    if (drop != null) {
                        drop.complete(readRest(in, buffer, n));
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed, or the proxy cut
            } finally {
                close();
            }
        }

        private static int markerLength(Trigger armed) {
            return armed == null ? 0 : armed.marker().length();
        }

        /** The first chunk plus whatever the server sends until it pauses for 300 ms. */
        private byte[] readRest(InputStream in, byte[] buffer, int first) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(buffer, 0, first);
            upstream.setSoTimeout(300);
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    all.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                // the response is complete
            }
            return all.toByteArray();
        }

        /**
         * Gives the server time to run the forwarded statement before the cut: its first reply byte (swallowed, not
         * passed on) proves it ran, and in auto-commit that it committed. The 2 s bound covers a statement that
         * never answers.
         */
        private void awaitServerReply(CompletableFuture<Void> reply) {
            try {
                reply.get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // no reply within the bound: cut anyway
            }
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
