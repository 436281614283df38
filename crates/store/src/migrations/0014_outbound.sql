-- Outbound delivery of notices (短信网关, 企业微信群机器人; off unless configured): when a notice
-- went out, how often it was tried, and the last error. Delivery runs after the notice is committed.
ALTER TABLE notification ADD COLUMN outbound_at TEXT;
ALTER TABLE notification ADD COLUMN outbound_tries BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notification ADD COLUMN outbound_error TEXT;
CREATE INDEX notification_outbound ON notification(created_at) WHERE outbound_at IS NULL;
