package dev.idem.client;

import java.nio.charset.StandardCharsets;

/**
 * The two fields of an RFC 9457 problem body that a retry decision reads: {@code type} and {@code detail}. Parsed
 * leniently by {@link #parse}: a body that is not a JSON object with string fields gives {@link #NONE}. Immutable.
 *
 * @param type   the problem type URI, or empty
 * @param detail the human detail (or title), or empty
 */
public record Problem(String type, String detail) {

    /** No problem body, or none that could be read. */
    public static final Problem NONE = new Problem("", "");

    /** Whether the type's last path segment (or the whole type) is {@code name}. */
    public boolean isOfType(String name) {
        return type.equals(name) || type.endsWith("/" + name) || type.endsWith("#" + name);
    }

    /** Reads {@code type} and {@code detail} (else {@code title}) from a JSON body; {@link #NONE} when not JSON. */
    public static Problem parse(byte[] body) {
        if (body == null || body.length == 0) {
            return NONE;
        }
        String json = new String(body, StandardCharsets.UTF_8);
        String detail = stringField(json, "detail");
        return new Problem(stringField(json, "type"), detail.isEmpty() ? stringField(json, "title") : detail);
    }

    /** The value of the first top-level-looking {@code "name": "..."} pair, unescaped; empty when absent. */
    private static String stringField(String json, String name) {
        String quoted = "\"" + name + "\"";
        int at = json.indexOf(quoted);
        while (at >= 0) {
            int i = at + quoted.length();
            while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
                i++;
            }
            if (i < json.length() && json.charAt(i) == ':') {
                i++;
                while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
                    i++;
                }
                return i < json.length() && json.charAt(i) == '"' ? unescape(json, i + 1) : "";
            }
            at = json.indexOf(quoted, at + 1);
        }
        return "";
    }

    private static String unescape(String json, int from) {
        StringBuilder value = new StringBuilder();
        for (int i = from; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                return value.toString();
            }
            if (c == '\\' && i + 1 < json.length()) {
                char e = json.charAt(++i);
                switch (e) {
                    case 'n' -> value.append('\n');
                    case 't' -> value.append('\t');
                    case 'r' -> value.append('\r');
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'u' -> {
                        if (i + 4 >= json.length()) {
                            return "";
                        }
                        try {
                            value.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                        } catch (NumberFormatException malformed) {
                            return "";
                        }
                        i += 4;
                    }
                    default -> value.append(e);
                }
            } else {
                value.append(c);
            }
        }
        return ""; // no closing quote
    }
}
