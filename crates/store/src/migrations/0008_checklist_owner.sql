-- An enterprise's own checklists (企业自建清单); NULL: a checklist of the installation.
ALTER TABLE checklist_template ADD COLUMN enterprise_id BIGINT REFERENCES enterprise(id);
CREATE INDEX checklist_template_enterprise ON checklist_template (enterprise_id);
