-- 挂牌督办 quotas per jurisdiction and year (seed 001: the district's 50 — 市级10、区级15、街道级25 — and
-- each street its own), set by the committee of that jurisdiction or above. Before this one
-- installation-wide setting per year (`listing_quota:YEAR`) held them; it still answers for the
-- top jurisdiction until a quota is set there.
CREATE TABLE listing_quota (
    jurisdiction_id BIGINT NOT NULL REFERENCES jurisdiction(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    city BIGINT NOT NULL,
    district BIGINT NOT NULL,
    street BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_id, year)
);
