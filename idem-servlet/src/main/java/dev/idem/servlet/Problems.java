package dev.idem.servlet;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes RFC 9457 {@code application/problem+json} responses: stable {@code type}, human {@code detail}. */
final class Problems {

    private final String typeBase;

    Problems(String typeBase) {
        this.typeBase = typeBase;
    }

    void write(HttpServletResponse response, int status, String type, String title, String detail, String instance)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        String json = "{\"type\":" + quote(typeBase + type)
                + ",\"title\":" + quote(title)
                + ",\"status\":" + status
                + ",\"detail\":" + quote(detail)
                + (instance != null ? ",\"instance\":" + quote(instance) : "")
                + "}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /** A JSON string literal. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
