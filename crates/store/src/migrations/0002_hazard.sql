-- Hazards (隐患排查治理): records, timeline, photos, listed supervision, checklists, inbox.
CREATE TABLE stored_file (
    id {ID},
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data {BLOB} NOT NULL,
    uploaded_by BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE number_sequence (
    scope TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (scope, year)
);

CREATE TABLE hazard (
    id {ID},
    number TEXT NOT NULL,
    number_scope BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    scope_path {PATH} NOT NULL,
    sector TEXT NOT NULL,
    location TEXT NOT NULL,
    description TEXT NOT NULL,
    grade TEXT NOT NULL,
    category TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    found_by BIGINT,
    found_by_name TEXT NOT NULL,
    found_at TEXT NOT NULL,
    found_day TEXT NOT NULL,
    deadline TEXT NOT NULL,
    responsible TEXT NOT NULL,
    plan TEXT,
    criterion TEXT,
    checklist_run_id BIGINT,
    closed_at TEXT,
    rectified_on_time BIGINT,
    escalation_level BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX hazard_number ON hazard(number_scope, number);
CREATE INDEX hazard_scope ON hazard(scope_path, id);
CREATE INDEX hazard_enterprise ON hazard(enterprise_id, id);
CREATE INDEX hazard_open ON hazard(state, deadline);
CREATE INDEX hazard_state_id ON hazard(state, id);

-- Running totals per scope path, sector, source, grade and month of finding, kept in the same
-- transaction as every hazard write, so statistics read thousands of rows, not millions.
CREATE TABLE hazard_tally (
    scope_path {PATH} NOT NULL,
    sector TEXT NOT NULL,
    source TEXT NOT NULL,
    grade TEXT NOT NULL,
    month TEXT NOT NULL,
    found BIGINT NOT NULL,
    rectified BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    major BIGINT NOT NULL,
    listed BIGINT NOT NULL,
    PRIMARY KEY (scope_path, sector, source, grade, month)
);

CREATE TABLE hazard_event (
    id {ID},
    hazard_id BIGINT NOT NULL REFERENCES hazard(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    comment TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX hazard_event_hazard ON hazard_event(hazard_id, id);

CREATE TABLE hazard_photo (
    hazard_id BIGINT NOT NULL REFERENCES hazard(id) ON DELETE CASCADE,
    file_id BIGINT NOT NULL REFERENCES stored_file(id),
    kind TEXT NOT NULL,
    PRIMARY KEY (hazard_id, file_id)
);
CREATE INDEX hazard_photo_file ON hazard_photo(file_id);

CREATE TABLE hazard_listing (
    hazard_id BIGINT PRIMARY KEY REFERENCES hazard(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    supervising_unit TEXT NOT NULL,
    document_number TEXT NOT NULL,
    deadline TEXT NOT NULL,
    year BIGINT NOT NULL,
    listed_by TEXT NOT NULL,
    listed_at TEXT NOT NULL
);
CREATE INDEX hazard_listing_year ON hazard_listing(year, level);

CREATE TABLE checklist_template (
    id {ID},
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    basis TEXT NOT NULL,
    official BIGINT NOT NULL,
    items TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE checklist_run (
    id {ID},
    template_id BIGINT NOT NULL REFERENCES checklist_template(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    run_by TEXT NOT NULL,
    answers TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE notification (
    id {ID},
    user_id BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    hazard_id BIGINT REFERENCES hazard(id) ON DELETE CASCADE,
    level BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notification_user ON notification(user_id, id);

CREATE TABLE job_lock (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_at TEXT NOT NULL
)
