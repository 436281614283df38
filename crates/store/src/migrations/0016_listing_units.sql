-- Who listed a hazard and how it was closed (issue 12): the listing unit — a government by its
-- jurisdiction's path, or a department (seed 001 三9) — so that only it or a unit above closes the
-- listing (16号令 Art. 18); the head's signature of a department's listing (seed 003: 一把手签字备案;
-- the signed file is an attachment of kind `listing_signed`); a 停产停业 order; and the closing's
-- assessment (the report and the enterprise's application are attachments `assessment_report`,
-- `closing_application`).
ALTER TABLE hazard_listing ADD COLUMN unit_path {PATH};
ALTER TABLE hazard_listing ADD COLUMN department_id BIGINT REFERENCES department(id);
ALTER TABLE hazard_listing ADD COLUMN signed_by TEXT;
ALTER TABLE hazard_listing ADD COLUMN signed_on TEXT;
ALTER TABLE hazard_listing ADD COLUMN suspended BIGINT NOT NULL DEFAULT 0;
ALTER TABLE hazard_listing ADD COLUMN assessor_kind TEXT;
ALTER TABLE hazard_listing ADD COLUMN assessor TEXT;
ALTER TABLE hazard_listing ADD COLUMN assessed_on TEXT;
ALTER TABLE hazard_listing ADD COLUMN assessment_conclusion TEXT;
ALTER TABLE hazard_listing ADD COLUMN closed_by TEXT;
-- Listings from before: the jurisdiction of the level's tier that holds the hazard, else the top.
UPDATE hazard_listing SET unit_path = COALESCE(
    (SELECT j.path FROM hazard h, jurisdiction j
      WHERE h.id = hazard_listing.hazard_id
        AND j.level = CASE hazard_listing.level WHEN '市' THEN 'city' WHEN '区' THEN 'district' ELSE 'street' END
        AND substr(h.scope_path, 1, length(j.path)) = j.path),
    (SELECT path FROM jurisdiction WHERE parent_id IS NULL ORDER BY id LIMIT 1));
