-- Each extract accounted for, per business and run (pipeline/extraction/landing.py `Balance`):
-- fetched = records (landed) + dead_letters (records) + other_date + duplicates, and pages lost
-- whole after retries (dead-lettered at page level, their records unknown) counted apart.
-- Rows logged before this migration have NULLs here: they were never accounted for.
ALTER TABLE ops.extract_log ADD COLUMN IF NOT EXISTS fetched BIGINT;
-- Records whose own business date is another partition's: landed there, counted here.
ALTER TABLE ops.extract_log ADD COLUMN IF NOT EXISTS other_date BIGINT;
-- Where those belong: {"2026-11-16": 3, ...}.
ALTER TABLE ops.extract_log ADD COLUMN IF NOT EXISTS other_dates JSON;
-- The same record id fetched more than once in one extract (e.g. across pages).
ALTER TABLE ops.extract_log ADD COLUMN IF NOT EXISTS duplicates BIGINT;
ALTER TABLE ops.extract_log ADD COLUMN IF NOT EXISTS lost_pages BIGINT;
-- 'ok'; 'partial' when a page was lost; 'unavailable' when an optional endpoint is missing on
-- the account (404/403), with the vendor's one-line answer in `warning`.
ALTER TABLE ops.extract_log ADD COLUMN IF NOT EXISTS status VARCHAR;
ALTER TABLE ops.extract_log ADD COLUMN IF NOT EXISTS warning VARCHAR;
