package dev.idem.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Buffers the body the application writes (status and headers go straight to the real response), so it can be
 * stored before the client sees it. Past {@code maxBodyBytes} it gives up buffering and streams the rest through:
 * such a response is sent but not stored; one that must be held until a commit ({@code holdsEverything}) keeps
 * buffering instead and is still not stored. {@code sendError} is held back and re-issued by the filter after the
 * key is released, so container error pages still render. Not thread-safe (one request).
 */
final class CapturingResponse extends HttpServletResponseWrapper {

    private final HttpServletResponse real;
    private final int maxBodyBytes;
    private final boolean holdsEverything;
    private final Set<String> applicationHeaders = new HashSet<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private ServletOutputStream stream;
    private PrintWriter writer;
    private boolean overflowed;
    private long written;
    private Integer errorStatus;
    private String errorMessage;

    CapturingResponse(HttpServletResponse real, int maxBodyBytes, boolean holdsEverything) {
        super(real);
        this.real = real;
        this.maxBodyBytes = maxBodyBytes;
        this.holdsEverything = holdsEverything;
    }

    @Override
    public void setHeader(String name, String value) {
        applicationHeaders.add(name);
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        applicationHeaders.add(name);
        super.addHeader(name, value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        applicationHeaders.add(name);
        super.setIntHeader(name, value);
    }

    @Override
    public void addIntHeader(String name, int value) {
        applicationHeaders.add(name);
        super.addIntHeader(name, value);
    }

    @Override
    public void setDateHeader(String name, long date) {
        applicationHeaders.add(name);
        super.setDateHeader(name, date);
    }

    @Override
    public void addDateHeader(String name, long date) {
        applicationHeaders.add(name);
        super.addDateHeader(name, date);
    }

    /**
     * Removes the headers the application set (a {@code Location} of a row that was never committed, say), so that
     * the filter's own answer goes out without them; headers of earlier filters stay.
     */
    void discardApplicationHeaders() {
        if (real.isCommitted()) {
            return;
        }
        for (String name : applicationHeaders) {
            real.setHeader(name, null);
        }
        applicationHeaders.clear();
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() was already called");
        }
        if (stream == null) {
            stream = new CapturingStream();
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        if (stream != null && writer == null) {
            throw new IllegalStateException("getOutputStream() was already called");
        }
        if (writer == null) {
            String encoding = getCharacterEncoding();
            Charset charset = encoding != null ? Charset.forName(encoding) : StandardCharsets.ISO_8859_1;
            stream = new CapturingStream();
            writer = new PrintWriter(new OutputStreamWriter(stream, charset));
        }
        return writer;
    }

    @Override
    public void sendError(int sc) {
        sendError(sc, null);
    }

    @Override
    public void sendError(int sc, String msg) {
        errorStatus = sc;
        errorMessage = msg;
    }

    @Override
    public void flushBuffer() throws IOException {
        flushWriter();
        if (overflowed) {
            real.flushBuffer();
        }
    }

    @Override
    public void resetBuffer() {
        if (!overflowed) {
            buffer.reset();
            written = 0;
        }
        super.resetBuffer();
    }

    @Override
    public void reset() {
        resetBuffer();
        errorStatus = null;
        super.reset();
    }

    @Override
    public int getStatus() {
        return errorStatus != null ? errorStatus : super.getStatus();
    }

    /** The status the application chose (a held-back {@code sendError} included). */
    int status() {
        return getStatus();
    }

    boolean sentError() {
        return errorStatus != null;
    }

    /** What to store: status, allow-listed headers and the buffered body. */
    StoredResponse capture(Set<String> replayedHeaders) {
        flushWriter();
        if (overflowed || buffer.size() > maxBodyBytes) {
            return StoredResponse.notStored(status(), written);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String name : real.getHeaderNames()) {
            if (replayedHeaders.contains(name.toLowerCase(Locale.ROOT)) && !name.equalsIgnoreCase("Content-Type")) {
                for (String value : real.getHeaders(name)) {
                    headers.add(Map.entry(name, value));
                }
            }
        }
        if (real.getContentType() != null && replayedHeaders.contains("content-type")) {
            headers.add(Map.entry("Content-Type", real.getContentType()));
        }
        return new StoredResponse(status(), List.copyOf(headers), buffer.toByteArray(), true, written);
    }

    /** Sends what the application produced to the client: the held-back error, or the buffered body. */
    void sendToClient() throws IOException {
        flushWriter();
        if (errorStatus != null) {
            if (errorMessage != null) {
                real.sendError(errorStatus, errorMessage);
            } else {
                real.sendError(errorStatus);
            }
            return;
        }
        if (!overflowed && buffer.size() > 0) {
            real.setContentLengthLong(buffer.size());
            buffer.writeTo(real.getOutputStream());
        }
        real.flushBuffer();
    }

    private void flushWriter() {
        if (writer != null) {
            writer.flush();
        }
    }

    private final class CapturingStream extends ServletOutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (overflowed) {
                real.getOutputStream().write(b, off, len);
                return;
            }
            buffer.write(b, off, len);
            if (buffer.size() > maxBodyBytes && !holdsEverything) {
                overflowed = true;
                buffer.writeTo(real.getOutputStream());
                buffer.reset();
            }
        }

        @Override
        public void flush() throws IOException {
            if (overflowed) {
                real.getOutputStream().flush();
            }
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            try {
                listener.onWritePossible();
            } catch (IOException e) {
                listener.onError(e);
            }
        }
    }
}
