package dev.idem.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryRulesTest {

    private static Problem problem(String type) {
        return Problem.parse(("{\"type\": \"https://idem.dev/problems/" + type + "\", \"detail\":\"d\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 425, 429, 500, 502, 503, 504})
    void theseStatusesAreRetried(int status) {
        assertThat(RetryRules.verdict(status, Problem.NONE)).isEqualTo(RetryRules.Verdict.RETRY);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 204, 301, 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 451, 501, 505})
    void theseStatusesAreAnswersAndNeverRetried(int status) {
        assertThat(RetryRules.verdict(status, Problem.NONE)).isEqualTo(RetryRules.Verdict.ANSWER);
    }

    @Test
    void a409IsRetriedOnlyWhenTheFirstAttemptIsStillInProgress() {
        assertThat(RetryRules.verdict(409, problem("request-in-progress"))).isEqualTo(RetryRules.Verdict.RETRY);
        assertThat(RetryRules.verdict(409, problem("response-not-stored"))).isEqualTo(RetryRules.Verdict.ANSWER);
        assertThat(RetryRules.verdict(409, problem("checkout-open"))).isEqualTo(RetryRules.Verdict.ANSWER);
    }

    @Test
    void a422KeyReusedIsAnErrorAndAnyOther422AnAnswer() {
        assertThat(RetryRules.verdict(422, problem("key-reused"))).isEqualTo(RetryRules.Verdict.KEY_REUSED);
        assertThat(RetryRules.verdict(422, problem("validation-failed"))).isEqualTo(RetryRules.Verdict.ANSWER);
        assertThat(RetryRules.verdict(409, problem("key-reused"))).isEqualTo(RetryRules.Verdict.ANSWER);
    }

    @Test
    void problemBodiesAreReadLenientlyAndEscapesDecoded() {
        Problem p = Problem.parse("{\"title\":\"T\",\"detail\":\"a \\\"b\\\" \\u00e9\",\"type\":\"x/key-reused\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(p.detail()).isEqualTo("a \"b\" \u00e9");
        assertThat(p.isOfType("key-reused")).isTrue();
        assertThat(Problem.parse("{\"title\":\"only a title\"}".getBytes(StandardCharsets.UTF_8)).detail())
                .isEqualTo("only a title");
        assertThat(Problem.parse("<html>no</html>".getBytes(StandardCharsets.UTF_8))).isEqualTo(Problem.NONE);
        assertThat(Problem.parse(new byte[0])).isEqualTo(Problem.NONE);
        assertThat(Problem.parse("{\"type\":\"unterminated".getBytes(StandardCharsets.UTF_8)).type()).isEmpty();
        assertThat(Problem.NONE.isOfType("request-in-progress")).isFalse();
    }

    @Test
    void retryAfterTakesSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-12-02T10:00:00Z");
        assertThat(RetryRules.retryAfter("3", now)).contains(Duration.ofSeconds(3));
        assertThat(RetryRules.retryAfter(" 0 ", now)).contains(Duration.ZERO);
        assertThat(RetryRules.retryAfter("Wed, 02 Dec 2026 10:00:05 GMT", now)).contains(Duration.ofSeconds(5));
        assertThat(RetryRules.retryAfter("Wed, 02 Dec 2026 09:00:00 GMT", now)).contains(Duration.ZERO);
        assertThat(RetryRules.retryAfter("soon", now)).isEmpty();
        assertThat(RetryRules.retryAfter("-1", now)).isEmpty();
        assertThat(RetryRules.retryAfter("99999999999999999999", now)).isEmpty();
        assertThat(RetryRules.retryAfter(null, now)).isEqualTo(Optional.empty());
    }

    @Test
    void networkFailuresAreRetriedButNotUnknownHostsOrTlsFailures() {
        assertThat(RetryRules.retryable(new ConnectException("refused"))).isTrue();
        assertThat(RetryRules.retryable(new SocketException("Connection reset"))).isTrue();
        assertThat(RetryRules.retryable(new SocketTimeoutException("read timed out"))).isTrue();
        assertThat(RetryRules.retryable(new HttpTimeoutException("request timed out"))).isTrue();
        assertThat(RetryRules.retryable(new EOFException("unexpected end of stream"))).isTrue();
        assertThat(RetryRules.retryable(new IOException("HTTP/1.1 header parser received no bytes"))).isTrue();
        assertThat(RetryRules.retryable(new UnknownHostException("nowhere.example"))).isFalse();
        assertThat(RetryRules.retryable(new SSLHandshakeException("PKIX path building failed"))).isFalse();
        assertThat(RetryRules.retryable(new IllegalStateException("a bug"))).isFalse();
    }

    @Test
    void nothingIsRetriedOnAnInterruptedThread() {
        Thread.currentThread().interrupt();
        try {
            assertThat(RetryRules.retryable(new SocketException("Connection reset"))).isFalse();
        } finally {
            Thread.interrupted();
        }
    }
}
