-- Foundation schema: organisation, accounts, sessions, audit. Tokens: {ID} is the engine's
-- auto-increment primary key, {PATH} a text column compared byte by byte (materialised paths).
CREATE TABLE jurisdiction (
    id {ID},
    parent_id BIGINT REFERENCES jurisdiction(id),
    level TEXT NOT NULL,
    code TEXT,
    name TEXT NOT NULL,
    path {PATH} NOT NULL UNIQUE,
    boundary TEXT,
    timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jurisdiction_parent ON jurisdiction(parent_id);

CREATE TABLE department (
    id {ID},
    jurisdiction_id BIGINT NOT NULL REFERENCES jurisdiction(id),
    name TEXT NOT NULL,
    sectors TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX department_name ON department(jurisdiction_id, name);

CREATE TABLE enterprise (
    id {ID},
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    address TEXT NOT NULL,
    longitude DOUBLE PRECISION,
    latitude DOUBLE PRECISION,
    coord_system TEXT NOT NULL,
    jurisdiction_id BIGINT NOT NULL REFERENCES jurisdiction(id),
    grid_id BIGINT REFERENCES jurisdiction(id),
    scope_path {PATH} NOT NULL,
    sectors TEXT NOT NULL,
    above_scale BIGINT NOT NULL,
    key_enterprise BIGINT NOT NULL,
    employees BIGINT NOT NULL,
    legal_representative TEXT NOT NULL,
    safety_manager TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX enterprise_credit_code ON enterprise(credit_code);
CREATE INDEX enterprise_scope_path ON enterprise(scope_path, id);

CREATE TABLE enterprise_sector (
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
    sector TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, sector)
);
CREATE INDEX enterprise_sector_by_sector ON enterprise_sector(sector, enterprise_id);

CREATE TABLE app_user (
    id {ID},
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    org_kind TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX app_user_username ON app_user(username);

CREATE TABLE expert_assignment (
    user_id BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, enterprise_id)
);

CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX user_session_by_user ON user_session(user_id);

CREATE TABLE login_failure (
    id {ID},
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at_unix BIGINT NOT NULL
);
CREATE INDEX login_failure_user ON login_failure(username, at_unix);
CREATE INDEX login_failure_ip ON login_failure(ip, at_unix);

CREATE TABLE idempotency (
    user_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    request TEXT NOT NULL,
    status BIGINT,
    body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    scope_path {PATH} NOT NULL,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_scope ON audit_log(scope_path, id);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

-- One row: the head of the audit chain. Updating it first in every writing transaction
-- serialises appends, so two writers can never chain to the same predecessor.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
