package dev.idem.postgres;

import dev.idem.spi.Fingerprint;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NOTIFY payload of a finished record, both halves of its format: the SQL expression the owner's
 * completion sends and the listener's reading of it. A payload is the record id's digest, followed, when the
 * record finished and is small enough, by the finished state the owner committed:
 * {@code digest status fingerprint lease_until_µs expires_at_µs base64(body) content_type} (one space between
 * fields; the content type is last, so it may contain spaces). Waiters woken by such a payload replay it without
 * reading the table. A release, or a record whose body would not fit PostgreSQL's 8,000-byte payload limit,
 * sends the digest alone, and its waiters read the table as before. Immutable and thread-safe.
 */
final class WakeUpMessage {

    /** The largest body carried: its base64 (4/3 of it) plus the other fields stays under 8,000 bytes. */
    static final int MAX_CARRIED_BODY_BYTES = 5_400;
    /** The longest content type carried. */
    static final int MAX_CARRIED_CONTENT_TYPE_BYTES = 200;

    private static final Logger log = LoggerFactory.getLogger(WakeUpMessage.class);
    private static final int FIELDS = 7;

    private final String digest;
    private final String[] fields;

    private WakeUpMessage(String digest, String[] fields) {
        this.digest = digest;
        this.fields = fields;
    }

    /**
     * The payload as SQL over the columns of the row a finish wrote ({@code status, fingerprint, lease_until,
     * expires_at, content_type, body}) and one text parameter, the record's digest.
     */
    static String carryingSql() {
        return "? || CASE WHEN octet_length(body) <= " + MAX_CARRIED_BODY_BYTES
                + " AND octet_length(content_type) <= " + MAX_CARRIED_CONTENT_TYPE_BYTES
                + " THEN ' ' || status || ' ' || fingerprint || ' ' || " + micros("lease_until")
                + " || ' ' || " + micros("expires_at") + " || ' ' || translate(encode(body, 'base64'), E'\\n', '')"
                + " || ' ' || content_type ELSE '' END";
    }

    private static String micros(String column) {
        return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
    }

    /** Splits a received payload; it never fails (a payload it cannot read carries no record). */
    static WakeUpMessage parse(String payload) {
        String[] fields = payload.split(" ", FIELDS);
        return new WakeUpMessage(fields[0], fields.length == FIELDS ? fields : null);
    }

    /** The record id's digest, which names the waiters to wake. */
    String digest() {
        return digest;
    }

    /**
     * What builds the carried record for the waiters' id (for {@code SignalingWaiter.signal}), or null when the
     * payload carries none. A carried record it cannot read builds as null: those waiters read the table.
     */
    Function<RecordId, StoredRecord> finished() {
        return fields == null ? null : this::record;
    }

    private StoredRecord record(RecordId id) {
        try {
            RecordStatus status = RecordStatus.valueOf(fields[1]);
            byte[] body = Base64.getDecoder().decode(fields[5]);
            return PostgresRecords.record(id, new Fingerprint(fields[2]), status, instant(fields[3]),
                    instant(fields[4]), fields[6], body);
        } catch (RuntimeException e) {
            log.debug("Could not read the record carried by a notification for {}; its waiters read the table", id, e);
            return null;
        }
    }

    private static Instant instant(String micros) {
        return Instant.EPOCH.plus(Long.parseLong(micros), ChronoUnit.MICROS);
    }
}
