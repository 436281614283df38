-- Risk grading (风险分级管控): risk points of enterprises and committee overrides of an
-- enterprise's level; hazards may name the risk point they were found at.
CREATE TABLE risk_point (
    id {ID},
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    scope_path {PATH} NOT NULL,
    sector TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    location TEXT NOT NULL,
    hazard_factors TEXT NOT NULL,
    accident_types TEXT NOT NULL,
    measures TEXT NOT NULL,
    responsible TEXT NOT NULL,
    control_level TEXT NOT NULL,
    method TEXT NOT NULL,
    scores TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    level TEXT NOT NULL,
    next_review TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX risk_point_enterprise ON risk_point(enterprise_id, id);
CREATE INDEX risk_point_scope ON risk_point(scope_path, id);

CREATE TABLE enterprise_risk_override (
    enterprise_id BIGINT PRIMARY KEY REFERENCES enterprise(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    reason TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);

ALTER TABLE hazard ADD COLUMN risk_point_id BIGINT REFERENCES risk_point(id);
CREATE INDEX hazard_risk_point ON hazard(risk_point_id)
