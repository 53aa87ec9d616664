package dev.idem.client;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * What a keyed call retries, and what it never does. Every adapter applies these rules, so a call behaves the same
 * through any client. Stateless and thread-safe.
 *
 * <table>
 *   <caption>Answers and failures</caption>
 *   <tr><th>retried, same key</th><td>a connect failure, a reset or closed connection, a timeout before a complete
 *       response; 408, 425, 429, 500, 502, 503, 504; 409 whose problem {@code type} is {@code request-in-progress}
 *       (the first attempt is still running on the server)</td></tr>
 *   <tr><th>never retried</th><td>every other answer: 2xx and 3xx, 400, 401, 403, 404, 413, 422, a 409 of any other
 *       type, any other 4xx; an unknown host, a TLS handshake or certificate failure, an interrupted thread</td></tr>
 *   <tr><th>an error</th><td>422 whose problem {@code type} is {@code key-reused}: {@link KeyReusedException}</td></tr>
 * </table>
 */
public final class RetryRules {

    /** Statuses that say "try again": the request did not take effect, or its answer will be stored. */
    public static final Set<Integer> RETRYABLE_STATUSES = Set.of(408, 425, 429, 500, 502, 503, 504);
    /** The problem type (its last path segment) of a 409 whose first attempt is still running. */
    public static final String REQUEST_IN_PROGRESS = "request-in-progress";
    /** The problem type (its last path segment) of a 422 for a key reused with another request. */
    public static final String KEY_REUSED = "key-reused";

    /** What to do with an answer. */
    public enum Verdict {
        /** Hand the answer to the caller. */
        ANSWER,
        /** Send the same request, with the same key, again. */
        RETRY,
        /** The key was used for another request: {@link KeyReusedException}. */
        KEY_REUSED
    }

    private RetryRules() {
    }

    /** Whether the verdict on {@code status} depends on the problem body: 409 and 422. */
    public static boolean needsProblem(int status) {
        return status == 409 || status == 422;
    }

    /**
     * The verdict on an answer.
     *
     * @param problem the answer's problem body; read only when {@link #needsProblem} says so, else ignored
     */
    public static Verdict verdict(int status, Problem problem) {
        if (RETRYABLE_STATUSES.contains(status)) {
            return Verdict.RETRY;
        }
        if (status == 409 && problem.isOfType(REQUEST_IN_PROGRESS)) {
            return Verdict.RETRY;
        }
        if (status == 422 && problem.isOfType(KEY_REUSED)) {
            return Verdict.KEY_REUSED;
        }
        return Verdict.ANSWER;
    }

    /**
     * Whether a failed attempt may have failed on the way (so the same request may be sent again): every
     * {@link IOException} but an unknown host, a malformed URL, a TLS handshake or certificate failure and an
     * interruption of the calling thread.
     */
    public static boolean retryable(Throwable failure) {
        if (!(failure instanceof IOException)) {
            return false;
        }
        if (failure instanceof UnknownHostException || failure instanceof MalformedURLException
                || failure instanceof SSLHandshakeException || failure instanceof SSLPeerUnverifiedException) {
            return false;
        }
        return !Thread.currentThread().isInterrupted();
    }

    /**
     * The wait a {@code Retry-After} value asks for: delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
     * Empty when absent or malformed (the caller then backs off as usual); a date in the past is a zero wait.
     */
    public static Optional<Duration> retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip();
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException | ArithmeticException tooLarge) {
                return Optional.empty();
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException malformed) {
            return Optional.empty();
        }
    }
}
