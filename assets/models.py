"""Reference tables and the identity graph (the SQL models' assets come from
pipeline/definitions/sql_assets.py)."""

from __future__ import annotations

import dagster as dg

from assets.partitions import WAREHOUSE_POOL
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now

REFERENCE_TABLES = [
    "businesses",
    "locations",
    "accounts",
    "taxes",
    "products",
    "tenders",
    "posting_accounts",
    "posting_limits",
    "tax_categories",
    "uom",
    "pos_crosswalk",
    "modifiers",
    "bundles",
    "lifecycle_states",
    "identity_overrides",
    "refund_reasons",
    "reconciliation_settings",
    "segments",
    "vip_tiers",
    "cadence_limits",
    "product_brands",
    "complements",
    "metrics",
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["ref", name], description=f"reference/{name}.csv, validated", kinds={"csv", "duckdb"}
        )
        for name in REFERENCE_TABLES
    ],
    group_name="reference",
    pool=WAREHOUSE_POOL,
)
def reference_tables(context, warehouse: WarehouseResource):
    """Ops-maintained CSVs; a bad file stops the run with its file, line and field."""
    from pipeline.store.reference_files import load_all, replace_reference_tables

    tables = load_all()
    with warehouse.connect() as con:
        replace_reference_tables(con, {name: tables[name] for name in REFERENCE_TABLES})
    for name in REFERENCE_TABLES:
        yield dg.MaterializeResult(asset_key=["ref", name], metadata={"rows": len(tables[name])})


@dg.asset(
    key=["core", "identity_map"],
    deps=[
        dg.AssetKey(["staging", t])
        for t in ("stg_square__customers", "stg_hubspot__contacts", "stg_xero__contacts")
    ]
    + [dg.AssetKey(["ref", "locations"]), dg.AssetKey(["ref", "identity_overrides"])],
    group_name="core",
    kinds={"duckdb", "python"},
    pool=WAREHOUSE_POOL,
)
def identity_map(context, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every POS, CRM and ledger person record linked to one stable customer_id.

    Exact keys, then fuzzy matching, then reference/identity_overrides.csv; see
    pipeline/identity. A contradiction in the overrides file stops the run naming its lines.
    """
    from pipeline.identity import resolve_identities
    from pipeline.store.identity_map import (
        identity_records,
        previous_identity_map,
        shop_phones,
        write_identity_map,
    )
    from pipeline.store.reference_files import load

    overrides = load("identity_overrides")
    overrides["line"] = overrides.index + 2
    with warehouse.connect() as con:
        previous = previous_identity_map(con)
        result = resolve_identities(
            identity_records(con),
            previous,
            blocked_values=shop_phones(con),
            overrides_table=overrides,
        )
        retired = write_identity_map(con, result, previous, now=pipeline_now())
    skipped_overrides = result.attrs["unmatched_overrides"]
    shared_keys = result.attrs["overused_keys"]
    for skipped in skipped_overrides:
        context.log.warning(f"override matches no record, skipped: {skipped}")
    rules = result["match_rule"].value_counts().to_dict()
    return dg.MaterializeResult(
        metadata={
            "records": len(result),
            "customers": int(result["customer_id"].nunique()),
            "retired_ids": len(retired),
            "overrides_skipped": len(skipped_overrides),
            **{f"shared_{k}_values": v for k, v in shared_keys.items()},
            **{
                f"refused_{key}_links:{why}": n
                for key, reasons in result.attrs["refused_key_links"].items()
                for why, n in reasons.items()
            },
            "learned_weights": dg.MetadataValue.md(
                result.attrs["model"].round(4).to_markdown(index=False)
            ),
            **{f"rule:{k}": int(v) for k, v in rules.items()},
        }
    )
