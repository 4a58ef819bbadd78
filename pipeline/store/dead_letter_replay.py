"""Which dead letters an operator asked about, and what must re-run to re-process them.

A dead letter is re-processed by running again the stage that produced it, after the fix (a
reference change, a connector fix, a raised limit): the stage replaces its partition's rows and
dead letters in one transaction (pipeline/store/raw.py, sql_models.py, hubspot_protocol.py), so
a fixed record lands, a still-broken one is dead-lettered again, and the extract's conservation
count (fetched = landed + dead-lettered + other dates + duplicates) holds either way.
"""

from __future__ import annotations

from datetime import date

import duckdb

_MATCHING = """
SELECT "at", stage, business_id, partition_key, source, entity, record_id, reason
FROM ops.dead_letter
WHERE ($source IS NULL OR source = $source)
  AND ($entity IS NULL OR entity = $entity)
  AND ($since IS NULL OR CAST("at" AS DATE) >= $since)
ORDER BY "at", stage, partition_key, record_id
"""


def matching(
    con: duckdb.DuckDBPyConnection, source: str | None, entity: str | None, since: date | None
) -> list[tuple]:
    """Dead letters by source, entity and the day they were dead-lettered (on or after)."""
    return con.execute(_MATCHING, {"source": source, "entity": entity, "since": since}).fetchall()


def plan(rows: list[tuple]) -> tuple[list[str], list[str]]:
    """(business dates to run end to end, unpartitioned jobs to run) for `matching` rows.

    A partitioned extract's dead letter re-runs its business date through everything the daily
    schedule runs (the models, journal and exports depend on it). Dead letters of a snapshot
    extract or a SQL model re-run the models; the HubSpot stages re-run the CRM job; the
    exports follow either."""
    partitions = sorted({r[3] for r in rows if r[1].startswith("extract:") and r[3]})
    jobs: list[str] = []
    if partitions:
        return partitions, jobs
    if any(not r[1].startswith("hubspot") for r in rows):
        jobs.append("models_job")
    if any(r[1].startswith("hubspot") for r in rows):
        jobs.append("crm_job")
    return partitions, [*jobs, "export_job"]
