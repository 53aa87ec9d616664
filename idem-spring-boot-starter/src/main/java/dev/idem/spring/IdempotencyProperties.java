package dev.idem.spring;

import dev.idem.MissingKeyPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The {@code idem.*} properties. Bound once at start-up; the engine built from them is immutable. */
@ConfigurationProperties("idem")
public class IdempotencyProperties {

    /** Which store keeps idempotency records. */
    public enum StoreType {
        /** PostgreSQL when a DataSource bean exists, else in-memory. */
        AUTO,
        /** PostgreSQL through the application's DataSource. */
        POSTGRES,
        /** Redis through a Lettuce RedisClient bean or idem.redis.url. */
        REDIS,
        /** In this JVM only; records are lost on restart. */
        MEMORY
    }

    /** Whether Idem is configured at all. */
    private boolean enabled = true;
    /** Which store keeps idempotency records. */
    private StoreType store = StoreType.AUTO;
    /** How long a finished record is replayed. */
    private Duration ttl = Duration.ofHours(24);
    /** How long an owner holds a key without renewing (a crashed owner blocks its key at most this long). */
    private Duration lease = Duration.ofSeconds(30);
    /** How long a duplicate waits for the first request before a 409. */
    private Duration maxWait = Duration.ofSeconds(2);
    /** Fallback polling period of a waiting duplicate. */
    private Duration pollInterval = Duration.ofMillis(50);
    /** The longest accepted key (1..1024). */
    private int maxKeyLength = 255;
    /** What to do with a protected request that carries no key. */
    private MissingKeyPolicy.Kind missingKeyPolicy = MissingKeyPolicy.Kind.REJECT;
    /** The dedup window of missing-key-policy DERIVE_FROM_CONTENT. */
    private Duration dedupWindow = Duration.ofSeconds(10);

    private final Postgres postgres = new Postgres();
    private final Redis redis = new Redis();
    private final NearCache nearCache = new NearCache();
    private final Http http = new Http();
    private final Prune prune = new Prune();
    private final Encryption encryption = new Encryption();
    private final Client client = new Client();
    private final Actuator actuator = new Actuator();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public StoreType getStore() {
        return store;
    }

    public void setStore(StoreType store) {
        this.store = store;
    }

    public Duration getTtl() {
        return ttl;
    }

    public void setTtl(Duration ttl) {
        this.ttl = ttl;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public Duration getMaxWait() {
        return maxWait;
    }

    public void setMaxWait(Duration maxWait) {
        this.maxWait = maxWait;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getMaxKeyLength() {
        return maxKeyLength;
    }

    public void setMaxKeyLength(int maxKeyLength) {
        this.maxKeyLength = maxKeyLength;
    }

    public MissingKeyPolicy.Kind getMissingKeyPolicy() {
        return missingKeyPolicy;
    }

    public void setMissingKeyPolicy(MissingKeyPolicy.Kind missingKeyPolicy) {
        this.missingKeyPolicy = missingKeyPolicy;
    }

    public Duration getDedupWindow() {
        return dedupWindow;
    }

    public void setDedupWindow(Duration dedupWindow) {
        this.dedupWindow = dedupWindow;
    }

    public Postgres getPostgres() {
        return postgres;
    }

    public Redis getRedis() {
        return redis;
    }

    public NearCache getNearCache() {
        return nearCache;
    }

    public Http getHttp() {
        return http;
    }

    public Encryption getEncryption() {
        return encryption;
    }

    public Client getClient() {
        return client;
    }

    public Actuator getActuator() {
        return actuator;
    }

    public Prune getPrune() {
        return prune;
    }

    /** {@code idem.postgres.*}. */
    public static class Postgres {
        /** The table (lower-case letters, digits, underscores; optionally schema.table). */
        private String table = "idempotency_keys";
        /** Whether to create the table at start-up if it does not exist. */
        private boolean createSchema = true;
        /** Whether finished records NOTIFY waiting duplicates (holds one pool connection for LISTEN). */
        private boolean notifications = true;

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }

        public boolean isNotifications() {
            return notifications;
        }

        public void setNotifications(boolean notifications) {
            this.notifications = notifications;
        }
    }

    /** {@code idem.near-cache.*}: replays of finished records from memory (needs dev.idem:idem-caffeine). */
    public static class NearCache {
        /** Whether the engine answers replays of records finished here or seen finished from a per-instance cache. */
        private boolean enabled;
        /** At most this many records are cached. */
        private long maximumEntries = 100_000;
        /** At most about this many bytes are cached (bodies plus about 200 bytes per entry). */
        private DataSize maximumBytes = DataSize.ofMegabytes(64);
        /** How long a record deleted in the store can still be replayed from the cache. */
        private Duration staleness = Duration.ofSeconds(5);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public long getMaximumEntries() {
            return maximumEntries;
        }

        public void setMaximumEntries(long maximumEntries) {
            this.maximumEntries = maximumEntries;
        }

        public DataSize getMaximumBytes() {
            return maximumBytes;
        }

        public void setMaximumBytes(DataSize maximumBytes) {
            this.maximumBytes = maximumBytes;
        }

        public Duration getStaleness() {
            return staleness;
        }

        public void setStaleness(Duration staleness) {
            this.staleness = staleness;
        }
    }

    /** {@code idem.redis.*}. */
    public static class Redis {
        /** Redis URL (redis://host:port) used when no RedisClient bean exists. */
        private String url;
        /** Prefix of every Redis key Idem writes. */
        private String keyPrefix = "idem:";
        /**
         * How many replicas must acknowledge each write (WAIT) before it counts; 0 (the default) for Redis'
         * asynchronous replication, where a failover can lose acknowledged writes.
         */
        private int replicaAcknowledgements;
        /** How long a write waits for those replicas before it fails (and the request gets 503). */
        private Duration replicaAcknowledgementTimeout = Duration.ofMillis(500);

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public int getReplicaAcknowledgements() {
            return replicaAcknowledgements;
        }

        public void setReplicaAcknowledgements(int replicaAcknowledgements) {
            this.replicaAcknowledgements = replicaAcknowledgements;
        }

        public Duration getReplicaAcknowledgementTimeout() {
            return replicaAcknowledgementTimeout;
        }

        public void setReplicaAcknowledgementTimeout(Duration replicaAcknowledgementTimeout) {
            this.replicaAcknowledgementTimeout = replicaAcknowledgementTimeout;
        }
    }

    /** {@code idem.http.*}. */
    public static class Http {
        /** Whether the Idempotency-Key servlet filter is registered. */
        private boolean enabled = true;
        /** The request header carrying the key. */
        private String headerName = "Idempotency-Key";
        /** The HTTP methods the filter protects. */
        private List<String> methods = new ArrayList<>(List.of("POST", "PATCH"));
        /** Path patterns the filter protects (Spring path patterns, e.g. /api/**). */
        private List<String> includePaths = new ArrayList<>(List.of("/**"));
        /** Path patterns never protected. */
        private List<String> excludePaths = new ArrayList<>();
        /**
         * Protected path patterns that run in transactional mode: claim, the handler's writes and the stored response
         * commit in one transaction (PostgreSQL store on the application's DataSource). {@code @IdempotentRoute} on a
         * handler wins over these.
         */
        private List<String> transactionalPaths = new ArrayList<>();
        /**
         * What a protected request of an anonymous caller (no principal) gets: reject (401, the default: anonymous
         * callers share no scope), pass-through (runs unprotected) or random-keys-only (protected only with a
         * version-4 UUID key). A ScopeResolver bean that names anonymous callers decides instead.
         */
        private Anonymous anonymous = Anonymous.REJECT;
        /** Larger protected request bodies are refused with 413. */
        private DataSize maxRequestBodySize = DataSize.ofMegabytes(1);
        /** Larger responses are sent but not stored; their retries get a 409 response-not-stored. */
        private DataSize maxResponseBodySize = DataSize.ofMegabytes(1);
        /** Response headers stored and replayed. */
        private List<String> replayedHeaders = new ArrayList<>(
                List.of("Content-Type", "Content-Language", "Location", "ETag", "Last-Modified", "Link"));

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHeaderName() {
            return headerName;
        }

        public void setHeaderName(String headerName) {
            this.headerName = headerName;
        }

        public List<String> getMethods() {
            return methods;
        }

        public void setMethods(List<String> methods) {
            this.methods = methods;
        }

        public List<String> getIncludePaths() {
            return includePaths;
        }

        public void setIncludePaths(List<String> includePaths) {
            this.includePaths = includePaths;
        }

        public List<String> getExcludePaths() {
            return excludePaths;
        }

        public void setExcludePaths(List<String> excludePaths) {
            this.excludePaths = excludePaths;
        }

        public Anonymous getAnonymous() {
            return anonymous;
        }

        public void setAnonymous(Anonymous anonymous) {
            this.anonymous = anonymous;
        }

        /**
         * {@code idem.http.anonymous}: the servlet filter's {@code IdempotencyFilterConfig.AnonymousRequests}, named
         * here so that these properties load without idem-servlet on the class path.
         */
        public enum Anonymous {
            /** 401 problem+json; the request does not run. */
            REJECT,
            /** The request runs unprotected. */
            PASS_THROUGH,
            /** Protected only with a version-4 UUID key. */
            RANDOM_KEYS_ONLY
        }

        public List<String> getTransactionalPaths() {
            return transactionalPaths;
        }

        public void setTransactionalPaths(List<String> transactionalPaths) {
            this.transactionalPaths = transactionalPaths;
        }

        public DataSize getMaxRequestBodySize() {
            return maxRequestBodySize;
        }

        public void setMaxRequestBodySize(DataSize maxRequestBodySize) {
            this.maxRequestBodySize = maxRequestBodySize;
        }

        public DataSize getMaxResponseBodySize() {
            return maxResponseBodySize;
        }

        public void setMaxResponseBodySize(DataSize maxResponseBodySize) {
            this.maxResponseBodySize = maxResponseBodySize;
        }

        public List<String> getReplayedHeaders() {
            return replayedHeaders;
        }

        public void setReplayedHeaders(List<String> replayedHeaders) {
            this.replayedHeaders = replayedHeaders;
        }
    }

    /** {@code idem.prune.*}. */
    public static class Prune {
        /** Whether expired records are deleted on a schedule. */
        private boolean enabled = true;
        /** How often pruning runs (ignored when idem.prune.cron is set). */
        private Duration interval = Duration.ofMinutes(5);
        /** A Spring cron expression (e.g. "0 0/10 * * * *", every ten minutes) for pruning, instead of the fixed interval. */
        private String cron;
        /** Records deleted per statement. */
        private int batchSize = 1000;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public String getCron() {
            return cron;
        }

        public void setCron(String cron) {
            this.cron = cron;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }
    }

    /** {@code idem.encryption.*}: stored results encrypted at rest (AES-GCM); off while no key is set. */
    public static class Encryption {
        /** The id of the key new results are encrypted with (one of idem.encryption.keys). */
        private String currentKey;
        /**
         * Key id to Base64 of a 16-, 24- or 32-byte AES key. Keep a retired key as long as results it encrypted may
         * still be replayed (idem.ttl).
         */
        private Map<String, String> keys = new LinkedHashMap<>();

        public String getCurrentKey() {
            return currentKey;
        }

        public void setCurrentKey(String currentKey) {
            this.currentKey = currentKey;
        }

        public Map<String, String> getKeys() {
            return keys;
        }

        public void setKeys(Map<String, String> keys) {
            this.keys = keys;
        }
    }

    /**
     * {@code idem.client.*}: the caller's half. When enabled, every {@code RestClient.Builder},
     * {@code RestTemplateBuilder} and {@code WebClient.Builder} from Spring Boot sends one idempotency key per keyed
     * call and resends it on every retry (idem-client-spring).
     */
    public static class Client {
        /** Whether Boot's HTTP client builders get Idem's keyed retries. */
        private boolean enabled = false;
        /** Attempts per call, the first included (1 to 100). */
        private int maxAttempts = 3;
        /** No attempt starts later than this after the first. */
        private Duration deadline = Duration.ofSeconds(10);
        /** The wait after the first attempt, before jitter (when the answer has no Retry-After). */
        private Duration initialBackoff = Duration.ofMillis(200);
        /** The longest wait without Retry-After, before jitter. */
        private Duration maxBackoff = Duration.ofSeconds(2);
        /** The methods that get a key and retries. */
        private List<String> methods = new ArrayList<>(List.of("POST", "PATCH"));
        /** The largest WebClient request body kept for a resend; a larger one is refused before it is sent. */
        private DataSize maxBodySize = DataSize.ofMegabytes(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getDeadline() {
            return deadline;
        }

        public void setDeadline(Duration deadline) {
            this.deadline = deadline;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public List<String> getMethods() {
            return methods;
        }

        public void setMethods(List<String> methods) {
            this.methods = methods;
        }

        public DataSize getMaxBodySize() {
            return maxBodySize;
        }

        public void setMaxBodySize(DataSize maxBodySize) {
            this.maxBodySize = maxBodySize;
        }
    }

    /** {@code idem.actuator.*}: the {@code idempotency} actuator endpoint. */
    public static class Actuator {
        /** Whether a record read through the endpoint shows its stored body (a response may hold personal data). */
        private boolean showBody = false;

        public boolean isShowBody() {
            return showBody;
        }

        public void setShowBody(boolean showBody) {
            this.showBody = showBody;
        }
    }
}
