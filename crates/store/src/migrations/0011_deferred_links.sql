-- Audit records are written with their change and linked into the chain just after commit by
-- one linker at a time (`links::run`), so writers no longer queue on the chain head.
CREATE TABLE audit_pending (
    id {ID},
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    scope_path {PATH} NOT NULL,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);

-- Records waiting for their gapless number (a hazard reported through the API): numbered by the
-- linker after commit, so only committed records take a number and writers do not queue on the
-- per-district counter.
CREATE TABLE number_pending (
    id {ID},
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    sequence TEXT NOT NULL,
    year BIGINT NOT NULL,
    scope_path {PATH} NOT NULL
);
