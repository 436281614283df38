-- Idempotency keys hold a lease while their first request runs, remember the body's hash, and
-- are marked committed in the same transaction as the write they guard.
ALTER TABLE idempotency ADD COLUMN body_hash TEXT;
ALTER TABLE idempotency ADD COLUMN lease_until TEXT;
ALTER TABLE idempotency ADD COLUMN committed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE idempotency ADD COLUMN entity TEXT;
ALTER TABLE idempotency ADD COLUMN entity_id BIGINT;
CREATE INDEX idempotency_created ON idempotency (created_at);
