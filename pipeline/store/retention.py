"""Raw payloads kept past their retention are purged of PII, in place.

raw.* holds vendor records as landed so that any model can be rebuilt; after the retention
(BACKBONE_RAW_RETENTION_DAYS, pipeline/settings.py) the personal fields of a record landed before
the cut-off are emptied or replaced by `purged` (pipeline/kernel/erasure.py). Amounts, dates and
ids stay, so the journal of an old day can still be rebuilt and still balances.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from pipeline.kernel.erasure import NAMING_KEYS, PERSONAL_KEYS, scrub
from pipeline.store import audit
from pipeline.store.connection import base_tables
from pipeline.store.transaction import transaction

PURGED = "purged"
# Entities whose records are people: every personal field goes. Other entities (orders,
# refunds, deals) only lose the fields that name a person.
PERSON_TABLES = {"square_customers", "hubspot_contacts", "xero_contacts"}


def purge_expired_pii(
    con: duckdb.DuckDBPyConnection, cutoff: datetime, *, run_id: str | None = None
) -> dict[str, int]:
    """Rows per raw table whose payload changed; rows landed at or after `cutoff` are kept."""
    tables = [t for _, t in base_tables(con, "raw")]
    purged: dict[str, int] = {}
    with transaction(con):
        for table in tables:
            keys = PERSONAL_KEYS if table in PERSON_TABLES else NAMING_KEYS
            rows = con.execute(
                f"SELECT rowid, payload FROM raw.{table} WHERE _extracted_at < ?", [cutoff]
            ).fetchall()
            changed = []
            for rowid, payload in rows:
                before = json.loads(payload)
                after = scrub(before, PURGED, keys)
                if after != before:
                    changed.append((json.dumps(after, sort_keys=True), rowid))
            for payload, rowid in changed:
                con.execute(f"UPDATE raw.{table} SET payload = ? WHERE rowid = ?", [payload, rowid])
            if changed:
                purged[table] = len(changed)
        audit.record(
            con, "retention_purge", f"raw/* before {cutoff.isoformat()}", sorted(purged.items()),
            run_id=run_id,
        )  # fmt: skip
    return purged
