"""Reference tables, the SQL models of dbt-free-sql/, and the identity graph."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from assets.partitions import WAREHOUSE_POOL
from pipeline.store.sql_models import SqlModel, build, discover
from resources.warehouse import WarehouseResource

REFERENCE_TABLES = [
    "businesses",
    "locations",
    "accounts",
    "taxes",
    "products",
    "tenders",
    "posting_accounts",
    "tax_categories",
    "uom",
    "pos_crosswalk",
    "modifiers",
    "bundles",
    "lifecycle_states",
    "identity_overrides",
    "refund_reasons",
    "reconciliation_settings",
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
    from pipeline.store.reference_files import load_all

    tables = load_all()
    with warehouse.connect() as con:
        con.execute("BEGIN TRANSACTION")
        for name in REFERENCE_TABLES:
            data = tables[name].replace({"": None})
            con.register("_ref", data)
            con.execute(f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM _ref")
            con.unregister("_ref")
        con.execute("COMMIT")
    for name in REFERENCE_TABLES:
        yield dg.MaterializeResult(asset_key=["ref", name], metadata={"rows": len(tables[name])})


def sql_asset(model: SqlModel) -> dg.AssetsDefinition:
    @dg.asset(
        key=[model.layer, model.name],
        deps=[dg.AssetKey([layer, name]) for layer, name in model.deps],
        group_name=model.layer,
        description=f"{model.description}\n\nSQL: dbt-free-sql/{model.layer}/{model.path.name}",
        kinds={"duckdb", "sql"},
        pool=WAREHOUSE_POOL,
    )
    def _model(context, warehouse: WarehouseResource) -> dg.MaterializeResult:
        from pipeline.store.contracts import validate_table

        with warehouse.connect() as con:
            stats = build(con, model, run_id=context.run_id, validate=validate_table)
        if stats["dead_letters"]:
            context.log.warning(f"{model.table}: {stats['dead_letters']} records dead-lettered")
        return dg.MaterializeResult(metadata=stats)

    return _model


SQL_ASSETS = [sql_asset(model) for model in discover()]

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
    "email_normalized": "VARCHAR",
    "phone_e164": "VARCHAR",
    "loyalty_id_normalized": "VARCHAR",
    "name_normalized": "VARCHAR",
    "postcode_normalized": "VARCHAR",
    "assigned_at": "TIMESTAMPTZ",
}


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
    from pipeline.kernel.normalize import phone
    from pipeline.kernel.timeutil import utcnow
    from pipeline.store.contracts import validate_table
    from pipeline.store.reference_files import load

    overrides = load("identity_overrides")
    overrides["line"] = overrides.index + 2

    with warehouse.connect() as con:
        records = con.execute(_IDENTITY_SOURCES).fetch_df()
        shop_phones = [
            phone(p) for (p,) in con.execute("SELECT phone FROM ref.locations").fetchall()
        ]
        has_previous = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'core' AND table_name = 'identity_map'"
        ).fetchone()[0]
        previous = (
            con.execute("SELECT * FROM core.identity_map").fetch_df() if has_previous else None
        )
        result = resolve_identities(
            records,
            previous,
            blocked_values=filter(None, shop_phones),
            overrides_table=overrides,
        )
        skipped_overrides = result.attrs["unmatched_overrides"]
        shared_keys = result.attrs["overused_keys"]
        for skipped in skipped_overrides:
            context.log.warning(f"override matches no record, skipped: {skipped}")
        first_assigned = (
            previous.groupby("customer_id")["assigned_at"].min()
            if previous is not None
            else pd.Series(dtype="datetime64[ns, UTC]")
        )
        result["assigned_at"] = result["customer_id"].map(first_assigned).fillna(utcnow())
        retired = (
            sorted(set(previous["customer_id"]) - set(result["customer_id"]))
            if previous is not None
            else []
        )
        con.execute("BEGIN TRANSACTION")
        con.register("_identity", result)
        con.execute(
            "CREATE OR REPLACE TABLE core.identity_map AS SELECT "
            + ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in _IDENTITY_COLUMNS.items())
            + " FROM _identity"
        )
        con.unregister("_identity")
        if retired and previous is not None:
            _record_aliases(con, previous, result, retired)
        validate_table(con, "core.identity_map")
        con.execute("COMMIT")
    rules = result["match_rule"].value_counts().to_dict()
    return dg.MaterializeResult(
        metadata={
            "records": len(result),
            "customers": int(result["customer_id"].nunique()),
            "retired_ids": len(retired),
            "overrides_skipped": len(skipped_overrides),
            **{f"shared_{k}_values": v for k, v in shared_keys.items()},
            **{f"rule:{k}": int(v) for k, v in rules.items()},
        }
    )


def _record_aliases(con, previous: pd.DataFrame, result: pd.DataFrame, retired: list[str]):
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
            "INSERT OR REPLACE INTO core.identity_aliases VALUES (?, ?, now())", [alias, survivor]
        )
