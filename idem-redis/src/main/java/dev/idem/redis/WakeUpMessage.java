package dev.idem.redis;

import dev.idem.spi.RecordId;
import dev.idem.spi.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reading of a pub/sub message that {@code finish.lua} or {@code release.lua} published: the record id's
 * digest, followed, when the record finished with a body of at most {@link #MAX_CARRIED_BODY_BYTES}, by the
 * finished state the owner wrote: {@code digest status fingerprint lease_until expires_at content_type_length }
 * then the content type's bytes and the body's bytes (binary safe). Waiters woken by such a message replay it
 * without reading the hash; a release or a larger body publishes the digest alone, and its waiters read the hash.
 * Every instance receives every message on the channel, so bodies are bounded. Immutable and thread-safe.
 */
final class WakeUpMessage {

    /** The largest body a message carries. */
    static final int MAX_CARRIED_BODY_BYTES = 16 * 1024;

    private static final Logger log = LoggerFactory.getLogger(WakeUpMessage.class);
    private static final int HEADER_FIELDS = 6;

    private final String digest;
    private final byte[] message;
    private final int[] spaces;

    private WakeUpMessage(String digest, byte[] message, int[] spaces) {
        this.digest = digest;
        this.message = message;
        this.spaces = spaces;
    }

    /** Splits a received message; it never fails (a message it cannot read carries no record). */
    static WakeUpMessage parse(byte[] message) {
        int[] spaces = new int[HEADER_FIELDS];
        int found = 0;
        for (int i = 0; i < message.length && found < HEADER_FIELDS; i++) {
            if (message[i] == ' ') {
                spaces[found++] = i;
            }
        }
        if (found == 0) {
            return new WakeUpMessage(new String(message, StandardCharsets.US_ASCII), message, null);
        }
        String digest = new String(message, 0, spaces[0], StandardCharsets.US_ASCII);
        return new WakeUpMessage(digest, message, found == HEADER_FIELDS ? spaces : null);
    }

    /** The record id's digest, which names the waiters to wake. */
    String digest() {
        return digest;
    }

    /**
     * What builds the carried record for the waiters' id (for {@code SignalingWaiter.signal}), or null when the
     * message carries none. A carried record it cannot read builds as null: those waiters read the hash.
     */
    Function<RecordId, StoredRecord> finished() {
        return spaces == null ? null : this::record;
    }

    private StoredRecord record(RecordId id) {
        try {
            int contentTypeStart = spaces[5] + 1;
            int contentTypeLength = Integer.parseInt(field(4));
            int bodyStart = contentTypeStart + contentTypeLength;
            if (contentTypeLength < 0 || bodyStart > message.length) {
                throw new IllegalArgumentException("the content type's length " + contentTypeLength
                        + " runs past the message's end");
            }
            return RedisRecords.decode(id, bytes(1), bytes(0), bytes(2), bytes(3),
                    Arrays.copyOfRange(message, contentTypeStart, bodyStart),
                    Arrays.copyOfRange(message, bodyStart, message.length));
        } catch (RuntimeException e) {
            log.debug("Could not read the record carried by a message for {}; its waiters read the hash", id, e);
            return null;
        }
    }

    /** The header field after the digest at {@code index} (0: status, 1: fingerprint, ... 4: content type length). */
    private byte[] bytes(int index) {
        return Arrays.copyOfRange(message, spaces[index] + 1, spaces[index + 1]);
    }

    private String field(int index) {
        return new String(bytes(index), StandardCharsets.US_ASCII);
    }
}
