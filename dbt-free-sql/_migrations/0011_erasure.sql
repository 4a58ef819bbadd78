-- Erasure on request (docs/privacy.md). Neither table holds PII: the customer id is Backbone's
-- own opaque id, the digest proves which values were erased without keeping them.
-- ops.erasure_log: one row per request, who asked and what was done.
CREATE TABLE IF NOT EXISTS ops.erasure_log (
    erasure_id VARCHAR PRIMARY KEY,
    customer_id VARCHAR NOT NULL,
    pseudonym VARCHAR NOT NULL,
    subject_sha256 VARCHAR NOT NULL,   -- sha256 over the erased values, sorted
    requested_by VARCHAR NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    rows_scrubbed INTEGER NOT NULL,
    hubspot_contacts VARCHAR,          -- ids HubSpot was asked to GDPR-delete, ';'-joined
    hubspot_status VARCHAR NOT NULL,   -- deleted | none | failed: <reason>
    run_id VARCHAR
);
-- ops.erased_subjects: the vendor records that belonged to an erased person. Landing scrubs
-- these again whenever a re-extraction brings them back, and the HubSpot sync skips the
-- customer, so no later run restores what was erased.
CREATE TABLE IF NOT EXISTS ops.erased_subjects (
    business_id VARCHAR NOT NULL,      -- a HubSpot id is only unique within its portal
    source VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    pseudonym VARCHAR NOT NULL,
    erased_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (business_id, source, record_id)
);
