-- What HubSpot holds because Backbone sent it: the base every sync diffs against, so a re-run
-- sends nothing that has not changed. Values are kept as sha256 digests only: equality is all a
-- diff needs, and ops tables must not hold emails or phones.
CREATE TABLE IF NOT EXISTS ops.crm_contact_state (
    business_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    property VARCHAR NOT NULL,
    value_sha256 VARCHAR NOT NULL,
    synced_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (business_id, customer_id, property)
);
-- The HubSpot contact each customer is synced to, and whether it already carries the customer's
-- Backbone id (after that, every write is an upsert by that unique property).
CREATE TABLE IF NOT EXISTS ops.crm_contacts (
    business_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    synced_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (business_id, customer_id)
);
-- Objects Backbone created or found once per portal: custom properties and segment lists.
CREATE TABLE IF NOT EXISTS ops.crm_objects (
    business_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    object_id VARCHAR NOT NULL,
    PRIMARY KEY (business_id, kind, name)
);
-- Current members of each segment's HubSpot list, as Backbone put them there.
CREATE TABLE IF NOT EXISTS ops.crm_list_members (
    business_id VARCHAR NOT NULL,
    segment VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (business_id, segment, customer_id)
);
-- One HubSpot task per membership that asks for one (refund follow-ups).
CREATE TABLE IF NOT EXISTS ops.crm_tasks (
    business_id VARCHAR NOT NULL,
    member_key VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    task_id VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (business_id, member_key)
);
-- Items of a HubSpot call logged as pending in ops.sync_log but not yet confirmed. A row left
-- here means the process died (or the call failed) between sending and logging: the next sync
-- reads HubSpot for exactly these items before it diffs, so nothing is sent twice.
CREATE TABLE IF NOT EXISTS ops.crm_inflight (
    target VARCHAR NOT NULL,
    idempotency_key VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    PRIMARY KEY (target, idempotency_key, item)
);
