-- Idem 0.1: a duplicate that waits flags the record, so that only contended records pay for a NOTIFY when they
-- finish. A no-op on a table that already has the column.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS waiters boolean NOT NULL DEFAULT false;
