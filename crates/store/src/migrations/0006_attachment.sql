-- Attachments are a generic link from a file to the object it belongs to (entity, id), so that
-- `files` knows no business area. The link carries its owner's enterprise, scope path and sector:
-- who may read a file is then the same scope rule as for every row an enterprise owns.
CREATE TABLE attachment (
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    file_id BIGINT NOT NULL REFERENCES stored_file(id),
    kind TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    scope_path {PATH} NOT NULL,
    sector TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, file_id)
);
CREATE INDEX attachment_file ON attachment(file_id);
CREATE INDEX attachment_enterprise ON attachment(enterprise_id);
INSERT INTO attachment (entity, entity_id, file_id, kind, enterprise_id, scope_path, sector)
    SELECT 'hazard', hp.hazard_id, hp.file_id, hp.kind, h.enterprise_id, h.scope_path, h.sector
    FROM hazard_photo hp JOIN hazard h ON h.id = hp.hazard_id;
DROP TABLE hazard_photo;
