-- Idem: one row per (scope, action, idempotency key).
-- Usable as a Flyway migration as is (table idempotency_keys); PostgresSchema.create(dataSource, table)
-- renders the same statements for another table name.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope        text        NOT NULL,
    action       text        NOT NULL,
    idem_key     text        NOT NULL,
    fingerprint  text        NOT NULL,
    status       text        NOT NULL,
    owner_token  text        NOT NULL,
    lease_until  timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    content_type text,
    body         bytea,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, action, idem_key),
    CONSTRAINT idempotency_keys_status_check CHECK (status IN ('IN_PROGRESS', 'COMPLETED', 'FAILED')),
    CONSTRAINT idempotency_keys_body_check CHECK ((status = 'IN_PROGRESS') = (body IS NULL))
);

-- Serves pruning: DELETE ... WHERE expires_at <= cutoff, oldest first, in batches.
CREATE INDEX IF NOT EXISTS idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
