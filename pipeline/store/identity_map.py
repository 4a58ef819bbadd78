"""The identity graph's reads and writes: the person records it links, and core.identity_map.

Resolution itself is pure (pipeline/identity); this module feeds it the staged POS, CRM and
ledger records and keeps what it returns, with the date each customer id was first assigned and
an alias for every id a merge retired.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from pipeline.kernel.normalize import phone
from pipeline.store.connection import has_table
from pipeline.store.contracts import validate_table
from pipeline.store.transaction import transaction

_IDENTITY_SOURCES = """
SELECT s.*, coalesce(loc.country, 'US') AS region
FROM (
    SELECT business_id, 'square' AS source, square_customer_id AS source_id, email, phone,
           loyalty_id, given_name, family_name, address, postcode, birth_date
    FROM staging.stg_square__customers
    UNION ALL
    SELECT business_id, 'hubspot', hubspot_contact_id, email, phone, loyalty_id, given_name,
           family_name, address, postcode, birth_date
    FROM staging.stg_hubspot__contacts
    UNION ALL
    SELECT business_id, 'xero', xero_contact_id, email, phone, NULL, given_name, family_name,
           address, postcode, NULL
    FROM staging.stg_xero__contacts
) AS s
LEFT JOIN (SELECT business_id, min(country) AS country FROM ref.locations GROUP BY ALL) AS loc
    USING (business_id)
ORDER BY s.business_id, s.source, s.source_id
"""


# Typed explicitly: a column that happens to be all NULL in one run must keep its type.
_IDENTITY_COLUMNS = {
    "business_id": "VARCHAR",
    "source": "VARCHAR",
    "source_id": "VARCHAR",
    "customer_id": "VARCHAR",
    "match_rule": "VARCHAR",
    "match_score": "DOUBLE",
    "matched_source": "VARCHAR",
    "matched_source_id": "VARCHAR",
    "evidence": "VARCHAR",
    "match_probability": "DOUBLE",
    "match_weight": "DOUBLE",
    "match_waterfall": "JSON",
    "email_normalized": "VARCHAR",
    "phone_e164": "VARCHAR",
    "loyalty_id_normalized": "VARCHAR",
    "name_normalized": "VARCHAR",
    "postcode_normalized": "VARCHAR",
    "assigned_at": "TIMESTAMPTZ",
}


def identity_records(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every person record of every source, with its business's country for phone parsing."""
    return con.execute(_IDENTITY_SOURCES).fetch_df()


def shop_phones(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The locations' own phone numbers: typed into customer records, they identify no one."""
    found = (phone(p) for (p,) in con.execute("SELECT phone FROM ref.locations").fetchall())
    return [p for p in found if p]


def previous_identity_map(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    if not has_table(con, "core", "identity_map"):
        return None
    return con.execute("SELECT * FROM core.identity_map").fetch_df()


def write_identity_map(
    con: duckdb.DuckDBPyConnection,
    result: pd.DataFrame,
    previous: pd.DataFrame | None,
    now: datetime,
) -> list[str]:
    """Replace core.identity_map (contract-checked) and alias retired ids, in one transaction;
    returns the retired ids. A customer id keeps the time it was first assigned."""
    first_assigned = (
        previous.groupby("customer_id")["assigned_at"].min()
        if previous is not None
        else pd.Series(dtype="datetime64[ns, UTC]")
    )
    result = result.assign(assigned_at=result["customer_id"].map(first_assigned).fillna(now))
    retired = (
        sorted(set(previous["customer_id"]) - set(result["customer_id"]))
        if previous is not None
        else []
    )
    with transaction(con):
        con.register("_identity", result)
        con.execute(
            "CREATE OR REPLACE TABLE core.identity_map AS SELECT "
            + ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in _IDENTITY_COLUMNS.items())
            + " FROM _identity"
        )
        con.unregister("_identity")
        if retired and previous is not None:
            record_aliases(con, previous, result, retired, merged_at=now)
        if previous is not None:
            record_splits(con, previous, result, at=now)
        validate_table(con, "core.identity_map")
    return retired


def record_aliases(
    con,
    previous: pd.DataFrame,
    result: pd.DataFrame,
    retired: list[str],
    merged_at: datetime | None = None,
):
    """A merged-away id keeps pointing at its survivor, so old references still resolve.

    Source ids are unique only within a business (each has its own CRM portal), hence the join
    on business_id; an id whose records went several ways points at where most of them went.
    """
    keys = ["business_id", "source", "source_id"]
    joined = previous[previous["customer_id"].isin(retired)].merge(
        result[[*keys, "customer_id"]], on=keys, suffixes=("_old", "")
    )
    counts = joined.groupby(["customer_id_old", "customer_id"]).size().rename("n").reset_index()
    counts = counts.sort_values(
        ["customer_id_old", "n", "customer_id"], ascending=[True, False, True]
    )
    for alias, survivor in (
        counts[["customer_id_old", "customer_id"]]
        .drop_duplicates("customer_id_old")
        .itertuples(index=False)
    ):
        con.execute(
            "INSERT OR REPLACE INTO core.identity_aliases (alias_id, customer_id, merged_at, "
            "reason) VALUES (?, ?, coalesce(?::TIMESTAMPTZ, now()), 'merged')",
            [alias, survivor, merged_at],
        )


def record_splits(
    con, previous: pd.DataFrame, result: pd.DataFrame, at: datetime | None = None
) -> list[tuple[str, str]]:
    """A new id given to records that held a still-living id is the smaller part of a split:
    one alias row (reason 'split') names the id it came from. Returns (new id, from id)."""
    keys = ["business_id", "source", "source_id"]
    joined = previous[[*keys, "customer_id"]].merge(
        result[[*keys, "customer_id"]], on=keys, suffixes=("_old", "")
    )
    living = set(result["customer_id"])
    fresh = set(result["customer_id"]) - set(previous["customer_id"])
    moved = joined[
        joined["customer_id"].isin(fresh)
        & joined["customer_id_old"].isin(living)
        & (joined["customer_id"] != joined["customer_id_old"])
    ]
    counts = moved.groupby(["customer_id", "customer_id_old"]).size().rename("n").reset_index()
    counts = counts.sort_values(
        ["customer_id", "n", "customer_id_old"], ascending=[True, False, True]
    )
    splits = []
    for new_id, old_id, n in counts.drop_duplicates("customer_id").itertuples(index=False):
        kept = int((result["customer_id"] == old_id).sum())
        con.execute(
            "INSERT OR REPLACE INTO core.identity_aliases (alias_id, customer_id, merged_at, "
            "reason) VALUES (?, ?, coalesce(?::TIMESTAMPTZ, now()), ?)",
            [new_id, old_id, at, f"split: {n} record(s) left {old_id}, which kept {kept}"],
        )
        splits.append((new_id, old_id))
    return splits
