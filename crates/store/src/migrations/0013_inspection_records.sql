-- Checklist runs as inspection records (检查记录): who ran it and in which role (an enterprise's
-- 自查, or a regulator's or grid inspector's 巡查), on which business day, how many items and how
-- many 不符合. The 工作台 reads them: 本月自查 of an enterprise, 本周巡查 of a grid inspector.
-- Runs recorded before this have no role (NULL): they count as neither.
ALTER TABLE checklist_run ADD COLUMN run_by_role TEXT;
ALTER TABLE checklist_run ADD COLUMN user_id BIGINT;
ALTER TABLE checklist_run ADD COLUMN run_day TEXT NOT NULL DEFAULT '';
ALTER TABLE checklist_run ADD COLUMN item_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE checklist_run ADD COLUMN finding_count BIGINT NOT NULL DEFAULT 0;
UPDATE checklist_run SET run_day = SUBSTR(created_at, 1, 10);
CREATE INDEX checklist_run_enterprise_day ON checklist_run (enterprise_id, run_day);
-- The last day an enterprise was visited on site (a regulator's or grid inspector's checklist
-- run or hazard found there), kept by those writes; 本周巡查 lists those not visited lately.
ALTER TABLE enterprise ADD COLUMN last_visit_day TEXT;
UPDATE enterprise SET last_visit_day = (SELECT MAX(h.found_day) FROM hazard h WHERE h.enterprise_id = enterprise.id AND h.source IN ('政府检查', '网格巡查'));
-- Where a hazard was reported from (上报位置, WGS-84), when the reporter's device gave it.
ALTER TABLE hazard ADD COLUMN found_longitude DOUBLE PRECISION;
ALTER TABLE hazard ADD COLUMN found_latitude DOUBLE PRECISION;
