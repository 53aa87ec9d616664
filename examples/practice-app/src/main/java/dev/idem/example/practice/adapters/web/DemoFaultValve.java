package dev.idem.example.practice.adapters.web;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * The web page's flaky network, for demos only ({@code practice.demo.faults=true}): a request with
 * {@code X-Demo-Fault} gets a real network failure, made outside Idem's filter (a Tomcat valve, before every filter),
 * so what the page shows is the library at work:
 * <ul>
 *   <li>{@code drop}: the request runs (the server commits), then the connection is closed instead of answering;</li>
 *   <li>{@code reset}: the connection is closed before the request runs;</li>
 *   <li>{@code slow}: the request runs and the answer leaves 3 s later (past the page's per-attempt timeout):
 *       {@link DemoSlowAnswerFilter} holds it back.</li>
 * </ul>
 * Thread-safe.
 */
public class DemoFaultValve extends ValveBase {

    /** The request header that asks for a fault. */
    public static final String HEADER = "X-Demo-Fault";

    public DemoFaultValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        String fault = request.getHeader(HEADER);
        if (fault == null) {
            getNext().invoke(request, response);
            return;
        }
        switch (fault) {
            case "reset" -> closeNow(response);
            case "drop" -> {
                response.setSuspended(true); // whatever the application writes (and flushes) goes nowhere
                getNext().invoke(request, response);
                closeNow(response); // committed on the server, never heard by the client
            }
            default -> getNext().invoke(request, response);
        }
    }

    private static void closeNow(Response response) {
        response.getCoyoteResponse().action(ActionCode.CLOSE_NOW, null);
    }
}
