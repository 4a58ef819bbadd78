-- Sync error rate per business, connector and direction (docs/metrics.md), in percent.
-- Read (extract): per extract the latest ops.extract_log row of each source, entity and
-- partition (a re-run replaces a partition, so earlier logs of it are history); errors = its
-- dead letters + those its staging model routed to ops.dead_letter for the same partition;
-- received = records landed + extract dead letters. Dated by the partition's business date;
-- an undated listing (customers, contacts, catalog) by its extract's local date.
-- Write (write-back): ops.sync_log items (one row per target and idempotency key, a retry that
-- succeeded replaces the failure) whose status is failed or partial, per item written, dated by
-- the local date of the item's last attempt. Metric: sync_errors_<connector>_<read|write>_pct.
WITH tz AS (
    SELECT business_id, min(timezone) AS timezone FROM ref.locations GROUP BY ALL
),
extracts AS (
    SELECT
        l.source,
        l.entity,
        l.business_id,
        l.partition_key,
        coalesce(
            TRY_CAST(l.partition_key AS DATE),
            CAST(timezone(coalesce(tz.timezone, 'UTC'), l."at") AS DATE)
        ) AS business_date,
        l.records,
        l.dead_letters
    FROM ops.extract_log AS l
    LEFT JOIN tz ON tz.business_id = l.business_id
    QUALIFY row_number() OVER (
        PARTITION BY l.source, l.entity, l.business_id, l.partition_key
        ORDER BY l."at" DESC, l.run_id DESC
    ) = 1
),
staged AS (
    SELECT source, entity, business_id, partition_key, count(*) AS n
    FROM ops.dead_letter
    WHERE stage LIKE 'staging:%'
    GROUP BY ALL
),
reads AS (
    SELECT
        e.business_id,
        e.business_date,
        e.source AS connector,
        'read' AS direction,
        e.dead_letters + coalesce(s.n, 0) AS errors,
        e.records + e.dead_letters AS attempts
    FROM extracts AS e
    LEFT JOIN staged AS s
        ON s.source = e.source AND s.entity = e.entity AND s.business_id = e.business_id
        AND s.partition_key IS NOT DISTINCT FROM e.partition_key
),
-- Targets name the business ('xero:Invoices:studio') or their keys do
-- ('hubspot.properties:boutique:<hash>').
writes AS (
    SELECT
        b.business_id,
        CAST(timezone(coalesce(tz.timezone, 'UTC'), s."at") AS DATE) AS business_date,
        regexp_extract(s.target, '^[a-z]+') AS connector,
        'write' AS direction,
        CAST(s.status IN ('failed', 'partial') AS INTEGER) AS errors,
        1 AS attempts
    FROM ops.sync_log AS s
    JOIN ref.businesses AS b
        ON b.business_id = CASE
            WHEN len(string_split(s.target, ':')) >= 3 THEN split_part(s.target, ':', -1)
            ELSE split_part(s.idempotency_key, ':', 2)
        END
    LEFT JOIN tz ON tz.business_id = b.business_id
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, o.business_date) AS period_start,
        o.*
    FROM (SELECT * FROM reads UNION ALL SELECT * FROM writes) AS o
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
    WHERE o.connector IN ('square', 'hubspot', 'xero')
)
SELECT
    grain,
    period_start,
    business_id,
    CAST(NULL AS VARCHAR) AS location_id,
    'sync_errors_' || connector || '_' || direction || '_pct' AS metric,
    CAST(round(100.0 * sum(errors) / nullif(sum(attempts), 0), 2) AS DECIMAL(18, 2)) AS value
FROM grains
GROUP BY grain, period_start, business_id, connector, direction
