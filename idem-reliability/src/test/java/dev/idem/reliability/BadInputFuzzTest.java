package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Ten thousand generated requests to the app's protected routes, each carrying at least one defect that applies to
 * its route: a malformed key (empty, 10 kB, over the length limit, control characters, non-ASCII bytes, bad
 * quoting, SQL fragments, sent twice), a missing key, a missing or forged token, malformed JSON, invalid values, a
 * wrong content type, or a body over the 1 MiB limit. Every one must be a clear 4xx problem+json without a stack
 * trace, and none may change the database: after each request the row counts of every table are compared, and
 * at the end the content of every row.
 */
class BadInputFuzzTest {

    private static final int TRIES = 10_000;
    private static final Pattern STATUS_FIELD = Pattern.compile("\"status\":(\\d{3})");
    private static final List<String> LEAKS = List.of("Exception", "\tat ", ".java:", "org.springframework",
            "java.lang", "<html", "<!doctype");
    private static final String TABLES = "SELECT concat_ws(',', (SELECT count(*) FROM practice_sessions),"
            + " (SELECT count(*) FROM attempts), (SELECT count(*) FROM marks), (SELECT count(*) FROM bookmarks),"
            + " (SELECT count(*) FROM checkout_sessions), (SELECT count(*) FROM chat_sessions),"
            + " (SELECT count(*) FROM chat_messages), (SELECT count(*) FROM idempotency_keys),"
            + " (SELECT count(*) FROM fault_invocations), (SELECT count(*) FROM fault_effects))";

    private static Cluster cluster;
    private static String sessionId;
    private static String questionId;
    private static String chatId;
    private static String tablesBefore;
    private static String contentBefore;
    private static final AtomicInteger sent = new AtomicInteger();
    private static final Map<String, AtomicLong> byDefect = new ConcurrentHashMap<>();
    private static final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();

    /** The protected routes, with what each reads: a JSON body, and whether a missing key is refused. */
    enum Route {
        START("/api/practice-sessions", "{\"questionCount\":3}", true),
        ANSWER("/api/practice-sessions/{session}/answers", "{\"questionId\":{q},\"choiceId\":\"a\"}", true),
        END("/api/practice-sessions/{session}/end", null, false),
        TOGGLE("/api/bookmarks/7/toggle", null, true),
        CHECKOUT("/api/billing/checkout-sessions", "{\"plan\":\"monthly\"}", true),
        CHAT("/api/chat-sessions", null, true),
        MESSAGE("/api/chat-sessions/{chat}/messages", "{\"content\":\"hello\"}", false);

        final String path;
        final String json;
        final boolean keyRequired;

        Route(String path, String json, boolean keyRequired) {
            this.path = path;
            this.json = json;
            this.keyRequired = keyRequired;
        }

        boolean readsJson() {
            return json != null;
        }
    }

    /** What a request carries; defects rewrite a valid one. */
    record Draft(Route route, List<String> keys, String authorization, String contentType, byte[] body) {

        Draft withKeys(String... values) {
            return new Draft(route, Arrays.asList(values), authorization, contentType, body);
        }

        Draft withAuthorization(String value) {
            return new Draft(route, keys, value, contentType, body);
        }

        Draft withContentType(String value) {
            return new Draft(route, keys, authorization, value, body);
        }

        Draft withBody(byte[] value) {
            return new Draft(route, keys, authorization, contentType, value);
        }
    }

    /** The part of a request a defect replaces: a later defect in the same slot replaces an earlier one. */
    enum Slot {
        KEY, TOKEN, BODY, CONTENT_TYPE
    }

    /** A named change that makes the request invalid on the routes it applies to. */
    record Defect(Slot slot, String kind, String variant, Set<Route> appliesTo, UnaryOperator<Draft> apply) {
        @Override
        public String toString() {
            return kind + "(" + printable(variant) + ")";
        }
    }

    /** A generated request: its route, its defects (at least one applying to the route) and the result. */
    record BadRequest(Route route, List<Defect> defects, Draft draft) {
        @Override
        public String toString() {
            return route + " " + defects + " body=" + printable(new String(draft.body(), StandardCharsets.ISO_8859_1));
        }
    }

    @BeforeContainer
    static void startAppsAndRecordTheTables() throws Exception {
        cluster = Cluster.get();
        String started = Http.post(cluster.instance(0).uri("/api/practice-sessions"), Cluster.ALICE,
                "fuzz-setup-" + System.nanoTime(), "{\"questionCount\":3}").body();
        Matcher m = Pattern.compile("\"sessionId\":\"([^\"]+)\"").matcher(started);
        assertThat(m.find()).as(started).isTrue();
        sessionId = m.group(1);
        Matcher q = Pattern.compile("\"questionIds\":\\[(\\d+)").matcher(started);
        assertThat(q.find()).as(started).isTrue();
        questionId = q.group(1);
        String chat = Http.post(cluster.instance(0).uri("/api/chat-sessions"), Cluster.ALICE,
                "fuzz-setup-" + System.nanoTime(), "").body();
        Matcher c = Pattern.compile("\"chatSessionId\":\"([^\"]+)\"").matcher(chat);
        assertThat(c.find()).as(chat).isTrue();
        chatId = c.group(1);
        tablesBefore = cluster.db.string(TABLES);
        contentBefore = contentChecksums();
    }

    /** An MD5 of every row of every table: unchanged only if no rejected request inserted, updated or deleted. */
    private static String contentChecksums() {
        StringBuilder all = new StringBuilder();
        for (String table : List.of("practice_sessions", "attempts", "marks", "bookmarks", "checkout_sessions",
                "chat_sessions", "chat_messages", "idempotency_keys", "fault_invocations", "fault_effects", "users")) {
            all.append(table).append('=').append(cluster.db.string("SELECT md5(coalesce(string_agg(t::text, '|'"
                    + " ORDER BY t::text), '')) FROM " + table + " t")).append(' ');
        }
        return all.toString();
    }

    @AfterContainer
    static void reportAndCheckNothingChanged() {
        assertThat(cluster.db.string(TABLES)).as("row counts after all requests").isEqualTo(tablesBefore);
        assertThat(contentChecksums()).as("every row of every table after all requests").isEqualTo(contentBefore);
        Report.row("bad input (jqwik: malformed keys, missing/forged tokens, malformed JSON, wrong content types,"
                + " huge bodies)", sent.get(), "0 (no table changed)", 0, "statuses " + new TreeMap<>(byStatus)
                + "; defects " + new TreeMap<>(byDefect) + "; no 5xx, all problem+json, no stack trace");
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void everyMalformedRequestIsAClear4xxProblemAndChangesNothing(@ForAll("badRequests") BadRequest request)
            throws Exception {
        Draft draft = request.draft();
        List<RawHttp.Header> headers = new ArrayList<>();
        for (String key : draft.keys()) {
            headers.add(new RawHttp.Header("Idempotency-Key", key));
        }
        if (draft.authorization() != null) {
            headers.add(new RawHttp.Header("Authorization", draft.authorization()));
        }
        if (draft.contentType() != null) {
            headers.add(new RawHttp.Header("Content-Type", draft.contentType()));
        }
        String path = draft.route().path.replace("{session}", sessionId).replace("{chat}", chatId);
        AppInstance instance = cluster.instance(sent.getAndIncrement() % 3);
        byte[] body = draft.body().length < 1000 // the answer's question is one of the session's
                ? new String(draft.body(), StandardCharsets.ISO_8859_1).replace("{q}", questionId)
                .getBytes(StandardCharsets.ISO_8859_1) : draft.body();
        RawHttp.Response response = RawHttp.send(instance.port, "POST", path, headers, body);

        byStatus.computeIfAbsent(response.status(), s -> new AtomicLong()).incrementAndGet();
        request.defects().forEach(d -> byDefect.computeIfAbsent(d.kind(), k -> new AtomicLong()).incrementAndGet());
        assertThat(response.status()).as("%s -> %s", request, response.body()).isBetween(400, 499);
        assertThat(response.contentType()).as("%s -> %s", request, response.body())
                .startsWith("application/problem+json");
        Matcher status = STATUS_FIELD.matcher(response.body());
        assertThat(status.find()).as("problem status in %s", response.body()).isTrue();
        assertThat(Integer.parseInt(status.group(1))).isEqualTo(response.status());
        for (String leak : LEAKS) {
            assertThat(response.body()).as("%s -> %s", request, response.body()).doesNotContainIgnoringCase(leak);
        }
        assertThat(cluster.db.string(TABLES)).as("row counts after %s", request).isEqualTo(tablesBefore);
    }

    @Provide
    Arbitrary<BadRequest> badRequests() {
        Arbitrary<Route> routes = Arbitraries.of(Route.class);
        Arbitrary<String> validKeys = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64),
                Arbitraries.of("1'OR'1'='1", "');DROP/**/TABLE/**/idempotency_keys;--", "${jndi:ldap://x/a}",
                        "<script>alert(1)</script>", "../../etc/passwd", "%00", "\\\\", "NULL"));
        Arbitrary<List<Defect>> defects = defect().list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(routes, validKeys, defects).as((route, key, drawn) -> {
            Map<Slot, Defect> bySlot = new java.util.EnumMap<>(Slot.class);
            drawn.forEach(defect -> bySlot.put(defect.slot(), defect));
            List<Defect> chosen = List.copyOf(bySlot.values());
            Draft draft = new Draft(route, List.of(key.startsWith("\"") ? "k" + key : key), "Bearer " + Cluster.ALICE,
                    route.readsJson() ? "application/json" : null,
                    route.readsJson() ? route.json.getBytes(StandardCharsets.UTF_8) : new byte[0]);
            for (Defect defect : chosen) {
                draft = defect.apply().apply(draft);
            }
            return new BadRequest(route, chosen, draft);
        }).filter(r -> r.defects().stream().anyMatch(d -> d.appliesTo().contains(r.route())));
    }

    private static Set<Route> routes(Predicate<Route> which) {
        Set<Route> routes = EnumSet.noneOf(Route.class);
        for (Route route : Route.values()) {
            if (which.test(route)) {
                routes.add(route);
            }
        }
        return routes;
    }

    private static Arbitrary<Defect> defect() {
        Set<Route> all = EnumSet.allOf(Route.class);
        Set<Route> keyRequired = routes(route -> route.keyRequired);
        Set<Route> json = routes(Route::readsJson);
        return Arbitraries.frequencyOf(
                Tuple.of(30, malformedKeys().map(k -> new Defect(Slot.KEY, "malformed key", k, all,
                        d -> d.withKeys(k)))),
                Tuple.of(4, Arbitraries.just(new Defect(Slot.KEY, "key sent twice", "", all,
                        d -> d.withKeys("twice-1", "twice-2")))),
                Tuple.of(8, Arbitraries.just(new Defect(Slot.KEY, "missing key", "", keyRequired,
                        d -> d.withKeys()))),
                Tuple.of(15, badTokens().map(t -> new Defect(Slot.TOKEN, "missing or forged token",
                        t == null ? "none" : t, all, d -> d.withAuthorization(t)))),
                Tuple.of(15, malformedJson().map(b -> new Defect(Slot.BODY, "malformed JSON or invalid value",
                        b.body(), b.invalidFor(), d -> d.withBody(b.body().getBytes(StandardCharsets.UTF_8))))),
                Tuple.of(10, wrongContentTypes().map(t -> new Defect(Slot.CONTENT_TYPE, "wrong content type",
                        t == null ? "none" : t, json, d -> d.withContentType(t)))),
                Tuple.of(1, Arbitraries.integers().between(1, 4096).map(extra -> new Defect(Slot.BODY,
                        "huge body", (1024 * 1024 + extra) + " bytes", all,
                        d -> d.withBody(hugeBody(1024 * 1024 + extra))))));
    }

    /** Keys the filter or Tomcat must refuse (the app's limit is 64 characters). */
    private static Arbitrary<String> malformedKeys() {
        Arbitrary<String> printable = Arbitraries.strings().withCharRange('!', '~').ofMinLength(0).ofMaxLength(20);
        Arbitrary<Character> control = Arbitraries.oneOf(Arbitraries.chars().range('\u0000', '\u0008'),
                Arbitraries.chars().range('\u000b', '\u000c'), Arbitraries.chars().range('\u000e', '\u001f'),
                Arbitraries.just('\u007f'), Arbitraries.just('\t'));
        Arbitrary<String> nonAscii = Arbitraries.strings().withCharRange('\u0080', '\u00ff').ofMinLength(1)
                .ofMaxLength(8);
        return Arbitraries.oneOf(
                Arbitraries.of("", " ", "   "),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(65).ofMaxLength(300),
                Arbitraries.strings().withCharRange('!', '~').ofLength(10 * 1024),
                Combinators.combine(printable, control, printable).as((a, c, b) -> "k" + a + c + b + "x"),
                Combinators.combine(printable, nonAscii, printable).as((a, n, b) -> a + n + b),
                Arbitraries.of("ключ", "キー", "clé", "🔑key").map(BadInputFuzzTest::utf8AsRawBytes),
                Arbitraries.of("\"abc", "\"a\"b\"", "\"\"", "\"a b\"", "\"k\u0001\""),
                Arbitraries.of("'; DROP TABLE idempotency_keys; --", "1' OR '1'='1",
                        "x'); DELETE FROM practice_sessions; --", "$$; TRUNCATE attempts; $$",
                        "1; SELECT pg_sleep(5)", "admin' --"));
    }

    private static Arbitrary<String> badTokens() {
        return Arbitraries.oneOf(
                Arbitraries.just((String) null),
                Arbitraries.of("Bearer", "Bearer ", "Basic ZGVtbzpkZW1v", "Bearer demo-alice extra",
                        "Token demo-alice", "Bearer demo-alic", "Bearer demo-alice\u0001", "Bearer DEMO-ALICE"),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40).map(t -> "Bearer forged-" + t),
                Arbitraries.strings().withCharRange('a', 'z').ofLength(9000).map(t -> "Bearer " + t));
    }

    /** A body, and the routes it is invalid for (a field another route ignores is no defect there). */
    record InvalidBody(String body, Set<Route> invalidFor) {
    }

    private static Arbitrary<InvalidBody> malformedJson() {
        Set<Route> json = routes(Route::readsJson);
        Arbitrary<InvalidBody> syntax = Arbitraries.oneOf(
                Arbitraries.of("{\"questionCount\":", "{\"questionCount\":3", "{\"plan\":\"monthly\"", "[1,2",
                        "{\"content\":\"hello\",}", "{'plan':'monthly'}", "{\"content\":\"\\u12\"}", "{{}}", "}",
                        "\u0000\u0001\u0002", "<xml/>", "plan=monthly", "{\"a\":tru}", "{\"a\" 1}"),
                Arbitraries.strings().ofMinLength(0).ofMaxLength(60).map(s -> "{" + s.replace("}", "")))
                .map(body -> new InvalidBody(body, json));
        Arbitrary<InvalidBody> values = Arbitraries.oneOf(
                Arbitraries.of("{\"questionCount\":\"abc\"}", "{\"questionCount\":99999999999999999999}",
                        "{\"questionCount\":0}", "{\"questionCount\":-5}", "{\"questionCount\":51}",
                        "{\"questionCount\":[3]}").map(b -> new InvalidBody(b, EnumSet.of(Route.START))),
                Arbitraries.of("{\"questionId\":\"x\",\"choiceId\":\"a\"}", "{\"questionId\":{q}}",
                        "{\"choiceId\":\"a\"}", "{\"questionId\":{q},\"choiceId\":\"z\"}",
                        "{\"questionId\":999999,\"choiceId\":\"a\"}", "{\"questionId\":{q},\"choiceId\":\"\"}")
                        .map(b -> new InvalidBody(b, EnumSet.of(Route.ANSWER))),
                Arbitraries.of("{\"plan\":\"weekly\"}", "{\"plan\":null}", "{}", "{\"plan\":\"MONTHLY\"}")
                        .map(b -> new InvalidBody(b, EnumSet.of(Route.CHECKOUT))),
                Arbitraries.of("{\"content\":\"   \"}", "{\"content\":null}", "{}", "{\"content\":\"\"}")
                        .map(b -> new InvalidBody(b, EnumSet.of(Route.MESSAGE))),
                Arbitraries.strings().withCharRange('a', 'z').ofLength(4001)
                        .map(b -> new InvalidBody("{\"content\":\"" + b + "\"}", EnumSet.of(Route.MESSAGE))));
        return Arbitraries.oneOf(syntax, values);
    }

    private static Arbitrary<String> wrongContentTypes() {
        return Arbitraries.of(null, "text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/jsonx", "application/json; charset=bogus-charset",
                "text/json", "image/png", "application/json\u0001", "*/*", ";;;", "application/");
    }

    private static byte[] hugeBody(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        body[0] = '{';
        return body;
    }

    /** A string's UTF-8 bytes as Latin-1 characters, so the raw client sends exactly those bytes. */
    private static String utf8AsRawBytes(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String printable(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "...(" + s.length() + " chars)" : s;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
