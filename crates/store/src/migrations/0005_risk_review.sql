-- Review reminders of risk points (风险评审逾期提醒): which review date was reminded, up to
-- which level, so each level is reminded once per review; notifications may name a risk point.
ALTER TABLE risk_point ADD COLUMN review_reminded_for TEXT;
ALTER TABLE risk_point ADD COLUMN review_reminder_level BIGINT NOT NULL DEFAULT 0;
CREATE INDEX risk_point_review ON risk_point(next_review);
ALTER TABLE notification ADD COLUMN risk_point_id BIGINT REFERENCES risk_point(id) ON DELETE CASCADE;
-- Deleting a point (or a hazard) finds its notifications by index, not by scanning them all.
CREATE INDEX notification_risk_point ON notification(risk_point_id);
CREATE INDEX notification_hazard ON notification(hazard_id)
