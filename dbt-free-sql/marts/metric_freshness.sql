-- Data freshness per business and source (docs/metrics.md), in hours on the run's clock
-- (getvariable('pipeline_now'), BACKBONE_NOW in a replay, set by the model builder; so a re-run
-- with the same clock stores the same values): for each business date with a dated extract,
-- the age of the stalest entity of the source, each entity at its last extract covering that
-- date (its partition, or an undated listing such as customers or contacts, which covers every
-- date). Weekly: the worst (highest) day of the week. Metric: data_freshness_<source>_hours.
WITH latest AS (
    SELECT source, entity, business_id, partition_key, max("at") AS last_at
    FROM ops.extract_log
    WHERE coalesce(status, 'ok') <> 'unavailable'
    GROUP BY ALL
),
days AS (
    SELECT DISTINCT business_id, TRY_CAST(partition_key AS DATE) AS business_date
    FROM latest
    WHERE TRY_CAST(partition_key AS DATE) IS NOT NULL
),
covered AS (
    SELECT
        d.business_id,
        d.business_date,
        l.source,
        l.entity,
        max(l.last_at) AS last_at
    FROM days AS d
    JOIN latest AS l
        ON l.business_id = d.business_id
        AND (l.partition_key IS NULL OR TRY_CAST(l.partition_key AS DATE) = d.business_date)
    GROUP BY ALL
),
per_day AS (
    SELECT
        business_id,
        business_date,
        source,
        epoch(coalesce(getvariable('pipeline_now'), now()) - min(last_at)) / 3600.0 AS age_hours
    FROM covered
    GROUP BY ALL
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, p.business_date) AS period_start,
        p.*
    FROM per_day AS p
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
)
SELECT
    grain,
    period_start,
    business_id,
    CAST(NULL AS VARCHAR) AS location_id,
    'data_freshness_' || source || '_hours' AS metric,
    CAST(round(max(age_hours), 2) AS DECIMAL(18, 2)) AS value
FROM grains
GROUP BY grain, period_start, business_id, source
