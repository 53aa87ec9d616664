package dev.idem.reliability;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * An HTTP/1.1-aware TCP proxy between a client and the app that injects one fault per request, chosen by the
 * request's number from a schedule: swallow the response after the server committed it, reset the connection
 * mid-request (half the body sent, then RST), or stall the response past the client's timeout. It reads request
 * heads and {@code Content-Length} bodies to find each request; it counts requests, faults and the status of every
 * response it passes on. Thread-safe.
 */
final class HttpFaultProxy implements AutoCloseable {

    /** What happens to one request. */
    enum Fault {
        /** Passed through both ways. */
        NONE,
        /** The request reaches the server; its response is dropped and the connection closed. */
        SWALLOW,
        /** The head and half the body reach the server, then both connections are reset. */
        RESET,
        /** The request reaches the server; its response is held back until the client gives up. */
        STALL
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final IntFunction<Fault> schedule;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "http-fault-proxy-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<Fault, AtomicLong> faults = new EnumMap<>(Fault.class);
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicReference<String> protocolError =
            new java.util.concurrent.atomic.AtomicReference<>();

    HttpFaultProxy(int targetPort, IntFunction<Fault> schedule) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.schedule = schedule;
        for (Fault f : Fault.values()) {
            faults.put(f, new AtomicLong());
        }
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** How many requests were given {@code fault}. */
    long count(Fault fault) {
        return faults.get(fault).get();
    }

    /** How many responses with {@code status} were passed on to clients. */
    long responses(int status) {
        AtomicLong n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    /** The first request the proxy could not frame (a chunked body), or null. */
    String protocolError() {
        return protocolError.get();
    }

    /** Starts counting again from request 0. */
    void reset() {
        requests.set(0);
        faults.values().forEach(n -> n.set(0));
        statuses.clear();
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(HttpFaultProxy::closeQuietly);
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 2_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                Link link = new Link(client, upstream);
                threads.submit(link::clientToServer);
                threads.submit(link::serverToClient);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("http fault proxy: accept failed: " + e);
                }
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** One client connection and its upstream connection. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        /** The fault of the request whose response comes next, and whether that response has started. */
        private volatile Fault pending = Fault.NONE;
        private volatile boolean awaitingStatus;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
            sockets.add(client);
            sockets.add(upstream);
        }

        void clientToServer() {
            try (InputStream in = new BufferedInputStream(client.getInputStream());
                 OutputStream out = upstream.getOutputStream()) {
                while (true) {
                    byte[] head = readHead(in);
                    if (head == null) {
                        return; // the client closed the connection
                    }
                    byte[] body = in.readNBytes(contentLength(head));
                    Fault fault = schedule.apply(requests.getAndIncrement());
                    faults.get(fault).incrementAndGet();
                    if (fault == Fault.RESET) {
                        // the server's answer to the truncated request (a 400) must never reach the client, which
                        // sees only the reset: drop whatever comes back, and RST the client before the upstream closes
                        pending = Fault.RESET;
                        out.write(head);
                        out.write(body, 0, body.length / 2);
                        out.flush();
                        client.setSoLinger(true, 0); // RST, not FIN
                        client.close();
                        return;
                    }
                    pending = fault;
                    awaitingStatus = true;

                    out.write(head);
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // a side closed, or the link was cut
            } catch (IllegalStateException e) {
                protocolError.compareAndSet(null, e.getMessage());
            } finally {
                close();
            }
        }

        void serverToClient() {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    Fault fault = pending;
                    if (fault == Fault.SWALLOW || fault == Fault.RESET) {
                        return; // the server answered; the client never hears it
                    }
                    if (fault == Fault.STALL) {
                        continue; // held back: read and drop until the client times out and closes
                    }
                    if (awaitingStatus) {
                        awaitingStatus = false;
                        countStatus(buffer, n);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // a side closed, or the link was cut
            } finally {
                close();
            }
        }

        private void countStatus(byte[] buffer, int n) {
            String start = new String(buffer, 0, Math.min(n, 12), StandardCharsets.ISO_8859_1);
            if (start.startsWith("HTTP/1.1 ") && start.length() >= 12) {
                statuses.computeIfAbsent(Integer.parseInt(start.substring(9, 12)), s -> new AtomicLong())
                        .incrementAndGet();
            }
        }

        void close() {
            closeQuietly(client);
            closeQuietly(upstream);
            sockets.remove(client);
            sockets.remove(upstream);
        }
    }

    /** The request head up to and including the blank line, or null at end of stream before any byte. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        if (head.size() > 0) {
            throw new IOException("the client closed the connection mid-head");
        }
        return null;
    }

    private static int contentLength(byte[] head) throws IOException {
        int length = 0;
        for (String line : new String(head, StandardCharsets.ISO_8859_1).split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                throw new IllegalStateException("the fault proxy handles Content-Length bodies only: " + line);
            }
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return length;
    }
}
