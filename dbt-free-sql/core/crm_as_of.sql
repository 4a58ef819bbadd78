-- The business date the CRM's facts and segments are as of, per business: the run's clock
-- (getvariable('pipeline_now')) as a local date at the business's first location, else, with no
-- clock (a rebuild by hand), the latest business date with an order; and that location's time
-- zone, which dates the catalog's timestamps. Windows such as "new
-- within 30 days" and "no visit in 60 days" count back from it.
WITH home AS (
    SELECT business_id, arg_min(timezone, location_id) AS timezone
    FROM ref.locations
    GROUP BY ALL
),
latest AS (
    SELECT business_id, max(business_date) AS business_date
    FROM staging.stg_square__orders
    GROUP BY ALL
)
SELECT
    b.business_id,
    h.timezone,
    coalesce(
        CAST(timezone(h.timezone, CAST(getvariable('pipeline_now') AS TIMESTAMPTZ)) AS DATE),
        l.business_date
    ) AS as_of_date
FROM ref.businesses AS b
LEFT JOIN home AS h ON h.business_id = b.business_id
LEFT JOIN latest AS l ON l.business_id = b.business_id
WHERE h.timezone IS NOT NULL OR l.business_date IS NOT NULL
