-- Schemas, macros and the ops tables every layer writes to.
-- Written so that a warehouse created before migrations were recorded upgrades in place.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS ops;

-- Vendor minor units to DECIMAL(18,2) without passing through DOUBLE (DECIMAL / INT would).
CREATE OR REPLACE MACRO money(cents) AS CAST(CAST(cents AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2));
-- Minor units at a JSON path, only if the vendor sent an integer ("12.5x" or 12.5 -> NULL).
CREATE OR REPLACE MACRO json_cents(j, path) AS
    CASE WHEN json_type(j, path) IN ('BIGINT', 'UBIGINT') THEN CAST(j ->> path AS BIGINT) END;
-- Square processing fees summed in cents; NULL if any fee is not integer minor units.
CREATE OR REPLACE MACRO square_fee_list(payload) AS list_transform(
    CAST(coalesce(json_extract(payload, '$.processing_fee[*].amount_money'), '[]') AS JSON[]),
    lambda m: json_cents(m, '$.amount'));
CREATE OR REPLACE MACRO square_fee_cents(payload) AS
    CASE WHEN list_count(square_fee_list(payload)) = len(square_fee_list(payload))
        THEN coalesce(list_sum(square_fee_list(payload)), 0) END;
-- Vendor decimal strings ("1250.00") to DECIMAL(18,2); NULL when not a number.
CREATE OR REPLACE MACRO money_text(txt) AS TRY_CAST(txt AS DECIMAL(18, 2));
-- GS1 check digit of a GTIN-8/12/13/14 (weights 3,1,3,... from the right, check digit excluded);
-- FALSE for anything else. pipeline/catalog.py holds the same rule in Python, tested against this.
CREATE OR REPLACE MACRO gtin_valid(code) AS CASE
    WHEN regexp_full_match(coalesce(code, ''), '[0-9]{8}|[0-9]{12,14}') THEN
        (10 - list_sum(list_transform(
            range(length(code) - 1),
            lambda i: CAST(substr(code, length(code) - 1 - i, 1) AS INTEGER)
                * CASE WHEN i % 2 = 0 THEN 3 ELSE 1 END)) % 10) % 10
        = CAST(right(code, 1) AS INTEGER)
    ELSE FALSE
END;
-- Xero MS-JSON dates: /Date(1573755038314+0000)/ -> TIMESTAMPTZ.
CREATE OR REPLACE MACRO ms_date(txt) AS
    make_timestamp(TRY_CAST(regexp_extract(txt, '/Date\((-?\d+)', 1) AS BIGINT) * 1000);

CREATE TABLE IF NOT EXISTS ops.dead_letter (
    dead_letter_id VARCHAR PRIMARY KEY,
    stage VARCHAR NOT NULL,
    business_id VARCHAR,
    source VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    record_id VARCHAR,
    reason VARCHAR NOT NULL,
    payload JSON,
    partition_key VARCHAR,
    run_id VARCHAR,
    "at" TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS ops.extract_log (
    source VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    partition_key VARCHAR,
    records BIGINT NOT NULL,
    dead_letters BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    retries BIGINT NOT NULL,
    run_id VARCHAR,
    "at" TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS ops.audit_log (
    "at" TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL,
    run_id VARCHAR,
    action VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    payload_sha256 VARCHAR
);

-- Refund reasons entered by staff through the refund-reason form (refund_reason_job); the latest
-- entry per refund wins, every entry is in ops.audit_log.
CREATE TABLE IF NOT EXISTS ops.refund_reasons (
    refund_id VARCHAR PRIMARY KEY,
    business_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    note VARCHAR,
    entered_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR
);

CREATE TABLE IF NOT EXISTS ops.sync_log (
    target VARCHAR NOT NULL,
    idempotency_key VARCHAR NOT NULL,
    object_id VARCHAR,
    status VARCHAR NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (target, idempotency_key)
);
-- Why a write failed (masked: no tokens, emails or phones); NULL once it has succeeded.
-- Added after the table shipped, so warehouses created earlier gain it here.
ALTER TABLE ops.sync_log ADD COLUMN IF NOT EXISTS error VARCHAR;
