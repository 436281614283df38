-- Major hazard sources (重大危险源): identification units of an enterprise with the chemicals
-- they hold, identified and graded per GB 18218-2018 when saved.
CREATE TABLE major_hazard_source (
    id {ID},
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    scope_path {PATH} NOT NULL,
    sector TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_kind TEXT NOT NULL,
    substances TEXT NOT NULL,
    exposed_people BIGINT NOT NULL,
    s DOUBLE PRECISION NOT NULL,
    r DOUBLE PRECISION NOT NULL,
    alpha DOUBLE PRECISION NOT NULL,
    is_major BIGINT NOT NULL,
    grade TEXT,
    terms TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX major_hazard_source_enterprise ON major_hazard_source(enterprise_id, id);
CREATE INDEX major_hazard_source_scope ON major_hazard_source(scope_path, id)
