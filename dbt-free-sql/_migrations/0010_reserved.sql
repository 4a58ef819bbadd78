-- Placeholder from the ops-audit branch: migration numbers must run 1..N without gaps, and
-- 0010 is reserved for the ops-recovery branch. When that branch brings its own 0010, this file
-- goes; if it brings none, this no-op keeps the numbering whole.
SELECT 1;
