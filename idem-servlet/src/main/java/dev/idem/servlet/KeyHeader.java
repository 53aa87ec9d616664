package dev.idem.servlet;

import dev.idem.InvalidIdempotencyKeyException;

/**
 * Parses an {@code Idempotency-Key} header value: the IETF draft's structured-field string ({@code "abc"}, with
 * {@code \"} and {@code \\} escapes) or a bare token ({@code abc}). Validation of the key itself (length,
 * printable ASCII) is the engine's.
 */
final class KeyHeader {

    private KeyHeader() {
    }

    static String parse(String header) {
        String value = header.strip();
        if (value.isEmpty() || value.charAt(0) != '"') {
            return value;
        }
        StringBuilder key = new StringBuilder(value.length());
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                if (i + 1 >= value.length() || (value.charAt(i + 1) != '"' && value.charAt(i + 1) != '\\')) {
                    throw new InvalidIdempotencyKeyException("the quoted idempotency key has an invalid escape");
                }
                key.append(value.charAt(++i));
            } else if (c == '"') {
                if (i != value.length() - 1) {
                    throw new InvalidIdempotencyKeyException("the quoted idempotency key has text after its closing quote");
                }
                return key.toString();
            } else {
                key.append(c);
            }
        }
        throw new InvalidIdempotencyKeyException("the quoted idempotency key has no closing quote");
    }
}
