package dev.idem.example.practice.adapters.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.TimeUnit;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The web page's slow network, for demos only ({@code X-Demo-Fault: slow}, see {@link DemoFaultValve}): the request
 * runs as usual (and commits), but its answer is held back and leaves 3 s later, past the page's per-attempt
 * timeout, so the page retries with the same key while the first answer is still on its way. Runs before every
 * other filter. Thread-safe.
 */
public class DemoSlowAnswerFilter extends OncePerRequestFilter {

    private static final long DELAY_MILLIS = 3_000;

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"slow".equals(request.getHeader(DemoFaultValve.HEADER));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Held held = new Held(response);
        chain.doFilter(request, held);
        try {
            TimeUnit.MILLISECONDS.sleep(DELAY_MILLIS); // the demo's slow network, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        held.release();
    }

    /** The response with its body held in memory and every flush ignored until {@link #release()}. */
    private static final class Held extends HttpServletResponseWrapper {
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private PrintWriter writer;

        Held(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    body.write(b, off, len);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException("the demo's slow answers are blocking");
                }
            };
        }

        @Override
        public PrintWriter getWriter() {
            if (writer == null) {
                writer = new PrintWriter(new OutputStreamWriter(body, Charset.forName(getCharacterEncoding())));
            }
            return writer;
        }

        @Override
        public void flushBuffer() {
            // held back until release()
        }

        @Override
        public boolean isCommitted() {
            return false;
        }

        void release() throws IOException {
            if (writer != null) {
                writer.flush();
            }
            if (body.size() > 0) {
                getResponse().setContentLength(body.size());
                body.writeTo(getResponse().getOutputStream());
            }
            getResponse().flushBuffer();
        }
    }
}
