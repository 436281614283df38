-- Notices at every hand-over (交接提醒): each has a kind (the message centre filters by it, and a
-- user keeps one unread notice per kind and object), and a hazard remembers the deadline it was
-- reminded of (即将到期: once per deadline). A notice of several objects links to their list; the
-- accounts of a unit are found by its org (notices, and whether an enterprise is on the platform).
ALTER TABLE notification ADD COLUMN kind TEXT NOT NULL DEFAULT 'overdue';
UPDATE notification SET kind = 'review_overdue' WHERE risk_point_id IS NOT NULL;
CREATE INDEX notification_user_kind ON notification(user_id, kind, id);
ALTER TABLE hazard ADD COLUMN due_reminded_for TEXT;
ALTER TABLE notification ADD COLUMN link TEXT;
CREATE INDEX app_user_org ON app_user(org_kind, org_id);
