-- ops.audit_log becomes append-only and hash-chained (pipeline/store/audit.py): each row has a
-- sequence number, who triggered it, the previous row's hash and its own. The row hash is the
-- sha256 of the previous hash and the row's canonical fields (audit.canonical, mirrored by the
-- SQL below for the rows that exist already). Existing rows are chained in their current order
-- (rowid = insertion order); their trigger was never recorded, so it reads 'legacy'.
ALTER TABLE ops.audit_log RENAME TO audit_log_legacy;

CREATE TABLE ops.audit_log (
    seq BIGINT PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL,
    triggered_by VARCHAR NOT NULL,
    os_user VARCHAR,
    run_id VARCHAR,
    action VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    payload_sha256 VARCHAR,
    prev_hash VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL
);

CREATE TEMP TABLE audit_log_numbered AS
SELECT
    row_number() OVER (ORDER BY rowid) AS seq,
    "at",
    actor,
    'legacy' AS triggered_by,
    NULL::VARCHAR AS os_user,
    run_id,
    action,
    target,
    payload_sha256,
    -- Each text field as "<bytes>:<value>", NULL as "~", so no two rows share a canonical form.
    '|' || epoch_us("at")::VARCHAR || '|'
    || coalesce(strlen(actor)::VARCHAR || ':' || actor, '~')
    || '6:legacy'
    || '~'
    || coalesce(strlen(run_id)::VARCHAR || ':' || run_id, '~')
    || coalesce(strlen(action)::VARCHAR || ':' || action, '~')
    || coalesce(strlen(target)::VARCHAR || ':' || target, '~')
    || coalesce(strlen(payload_sha256)::VARCHAR || ':' || payload_sha256, '~') AS fields
FROM ops.audit_log_legacy;

INSERT INTO ops.audit_log
WITH RECURSIVE chain AS (
    SELECT seq, repeat('0', 64) AS prev_hash,
        sha256(repeat('0', 64) || '|' || seq::VARCHAR || fields) AS row_hash
    FROM audit_log_numbered WHERE seq = 1
    UNION ALL
    SELECT n.seq, c.row_hash, sha256(c.row_hash || '|' || n.seq::VARCHAR || n.fields)
    FROM audit_log_numbered AS n JOIN chain AS c ON n.seq = c.seq + 1
)
SELECT n.seq, n."at", n.actor, n.triggered_by, n.os_user, n.run_id, n.action, n.target,
    n.payload_sha256, c.prev_hash, c.row_hash
FROM audit_log_numbered AS n JOIN chain AS c USING (seq);

DROP TABLE audit_log_numbered;
DROP TABLE ops.audit_log_legacy;
