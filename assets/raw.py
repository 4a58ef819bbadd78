"""Raw extracts: vendor records as JSON, one table per source entity."""

from __future__ import annotations

from datetime import date, datetime

import dagster as dg

from assets.partitions import DAILY, WAREHOUSE_POOL
from assets.scope import business_scopes, clients_for, in_scope, location_scopes
from pipeline.extraction.landing import (
    LOOKBACK,
    Balance,
    Landing,
    land_partition,
    land_snapshot,
)
from pipeline.settings import max_field_bytes
from pipeline.store.raw import log_extract, payouts_of_day, write_landing
from resources.http import ApiError
from resources.square import SquareResource
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now
from resources.xero import XeroResource

RAW = {"group_name": "raw", "pool": WAREHOUSE_POOL}


CONSERVED = "extract_conserved"


def _checks(table: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            CONSERVED,
            asset=dg.AssetKey(["raw", table]),
            description="Every fetched record landed, dead-lettered, filed under its own date or "
            "counted as a duplicate; no page lost; optional endpoints present",
        )
    ]


def _store(
    context,
    warehouse: WarehouseResource,
    table: str,
    landing: Landing,
    clients,
    partition_key: str | None,
    now: datetime,
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        write_landing(
            con,
            table,
            landing,
            business_ids=in_scope(),
            partition_key=partition_key,
            run_id=context.run_id,
            at=now,
        )
        balances = {
            business_id: log_extract(
                con,
                table,
                landing,
                business_id,
                partition_key,
                clients.stats(business_id),
                run_id=context.run_id,
                at=now,
            )
            for business_id in in_scope()
        }
    unaccounted = [f"{b}: {bal.describe()}" for b, bal in balances.items() if not bal.conserved]
    if unaccounted:
        # A bug, never data: landing sorts every record it takes. Fail loudly, one line.
        raise dg.Failure(f"raw.{table}: records unaccounted for: " + "; ".join(unaccounted))
    if landing.dead:
        context.log.warning(f"{table}: {len(landing.dead)} dead letters in ops.dead_letter")
    requests, retries = clients.stats()
    return dg.MaterializeResult(
        metadata={
            "table": f"raw.{table}",
            "records": len(landing.rows),
            "dead_letters": len(landing.dead),
            "requests": requests,
            "retries": retries,
        },
        check_results=[_conservation(context, table, balances)],
    )


def _conservation(context, table: str, balances: dict[str, Balance]) -> dg.AssetCheckResult:
    lost = {b: bal.lost_pages for b, bal in balances.items() if bal.lost_pages}
    warnings = {b: bal.warning for b, bal in balances.items() if bal.warning}
    for business_id, warning in warnings.items():
        context.log.warning(f"{table} {business_id}: {warning}")
    problems = [f"{b}: {n} page(s) lost, see ops.dead_letter" for b, n in lost.items()]
    problems += [f"{b}: {w}" for b, w in warnings.items()]
    elsewhere: dict[str, int] = {}
    for bal in balances.values():
        for day, n in bal.elsewhere.items():
            elsewhere[day] = elsewhere.get(day, 0) + n
    return dg.AssetCheckResult(
        check_name=CONSERVED,
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR if lost else dg.AssetCheckSeverity.WARN,
        description="; ".join(problems)[:500] or None,
        metadata={
            **{key: sum(getattr(bal, key) for bal in balances.values()) for key in SUMMED},
            "other_dates": ", ".join(f"{d}: {n}" for d, n in sorted(elsewhere.items())) or "none",
            "status": ", ".join(f"{b}: {bal.status}" for b, bal in balances.items()) or "none",
        },
    )


SUMMED = ("fetched", "landed", "dead_letters", "other_date", "duplicates", "lost_pages")


def _day(context) -> date:
    return date.fromisoformat(context.partition_key)


def _square_partitioned(table: str, fetch, doc: str, open_ended: bool = True):
    """A Square entity landed per business date and location: `fetch(square, client, s, a, b)`."""
    entity = table.removeprefix("square_")

    @dg.asset(
        key=["raw", table],
        partitions_def=DAILY,
        kinds={"square", "duckdb"},
        description=doc,
        check_specs=_checks(table),
        **RAW,
    )
    def _asset(context, square: SquareResource, warehouse: WarehouseResource):
        now = pipeline_now()
        with clients_for(square) as clients:
            landing = land_partition(
                lambda s, start, end: fetch(square, clients(s.business_id), s, start, end),
                location_scopes(),
                _day(context),
                source="square",
                entity=entity,
                date_field="created_at",
                updated_field="updated_at",
                open_ended=open_ended,
                run_id=context.run_id,
                max_field_bytes=max_field_bytes(),
                extracted_at=now,
            )
            return _store(context, warehouse, table, landing, clients, context.partition_key, now)

    return _asset


square_orders = _square_partitioned(
    "square_orders",
    lambda sq, client, s, a, b: sq.search_orders(client, [s.location_id], a, b),
    "Square orders (sales and itemized returns) whose local business date is the partition.",
)
square_payments = _square_partitioned(
    "square_payments",
    lambda sq, client, s, a, b: sq.list_payments(client, s.location_id, a, b),
    "Square payments taken on the business date (offline ones arrive up to 72 h late).",
)
square_refunds = _square_partitioned(
    "square_refunds",
    lambda sq, client, s, a, b: sq.list_refunds(client, s.location_id, a, b),
    "Square refunds made on the business date (the sale may be days older).",
)
square_payouts = _square_partitioned(
    "square_payouts",
    lambda sq, client, s, a, b: sq.list_payouts(client, s.location_id, a, b),
    "Square payouts created on the business date.",
    open_ended=False,
)


@dg.asset(
    key=["raw", "square_payout_entries"],
    partitions_def=DAILY,
    kinds={"square", "duckdb"},
    deps=[square_payouts],
    check_specs=_checks("square_payout_entries"),
    **RAW,
)
def square_payout_entries(context, square: SquareResource, warehouse: WarehouseResource):
    """The charges, refunds and fees each of the day's payouts settles."""
    with warehouse.connect() as con:
        payouts = payouts_of_day(con, context.partition_key, in_scope())
    day = _day(context)
    now = pipeline_now()
    with clients_for(square) as clients:
        landing = Landing()
        for business_id, location_id, payout_id in payouts:
            try:
                child = land_snapshot(
                    lambda b, pid=payout_id: list(square.list_payout_entries(clients(b), pid)),
                    [business_id],
                    source="square",
                    entity="payout_entries",
                    updated_field="effective_at",
                    day=day,
                    location_id=location_id,
                    run_id=context.run_id,
                    max_field_bytes=max_field_bytes(),
                    extracted_at=now,
                )
            except ApiError as exc:
                if exc.status_code != 404:
                    raise
                # The payout record itself is suspect (see its staging dead letter); keep going.
                landing.reject(
                    business_id,
                    "square",
                    "payout_entries",
                    {"payout_id": payout_id},
                    payout_id,
                    f"payout {payout_id} has no entries at the vendor (404)",
                )
                landing.dead[-1]["of_request"] = True  # about a request: no record was fetched
                continue
            landing.extend(child)
        return _store(
            context,
            warehouse,
            "square_payout_entries",
            landing,
            clients,
            context.partition_key,
            now,
        )


@dg.asset(
    key=["raw", "xero_bank_transactions"],
    partitions_def=DAILY,
    kinds={"xero", "duckdb"},
    check_specs=_checks("xero_bank_transactions"),
    **RAW,
)
def xero_bank_transactions(context, xero: XeroResource, warehouse: WarehouseResource):
    """Bank lines dated on the business date (deposits of payouts and cash)."""
    now = pipeline_now()
    with clients_for(xero) as clients:
        landing = land_partition(
            lambda s, start, end: xero.list(
                clients(s.business_id),
                "BankTransactions",
                modified_since=start - LOOKBACK,
            ),
            business_scopes(),
            _day(context),
            source="xero",
            entity="bank_transactions",
            date_field="Date",
            updated_field="UpdatedDateUTC",
            id_field="BankTransactionID",
            local_dates=True,
            run_id=context.run_id,
            max_field_bytes=max_field_bytes(),
            extracted_at=now,
        )
        return _store(
            context,
            warehouse,
            "xero_bank_transactions",
            landing,
            clients,
            context.partition_key,
            now,
        )


def _snapshot_asset(
    table: str, connector_key: str, fetch, id_field: str, updated_field: str, doc: str
):
    source, entity = table.split("_", 1)

    @dg.asset(
        key=["raw", table],
        kinds={source, "duckdb"},
        description=doc,
        required_resource_keys={connector_key, "warehouse"},
        check_specs=_checks(table),
        **RAW,
    )
    def _asset(context):
        connector = getattr(context.resources, connector_key)
        now = pipeline_now()
        with clients_for(connector) as clients:
            landing = land_snapshot(
                lambda b: fetch(connector, clients(b)),
                in_scope(),
                source=source,
                entity=entity,
                id_field=id_field,
                updated_field=updated_field,
                run_id=context.run_id,
                max_field_bytes=max_field_bytes(),
                extracted_at=now,
            )
            return _store(context, context.resources.warehouse, table, landing, clients, None, now)

    return _asset


SNAPSHOTS = [
    _snapshot_asset(
        "square_customers",
        "square",
        lambda c, cl: c.list_customers(cl),
        "id",
        "updated_at",
        "Square customer profiles (full list each run).",
    ),
    _snapshot_asset(
        "square_catalog",
        "square",
        lambda c, cl: c.list_catalog(cl),
        "id",
        "updated_at",
        "Square catalog items, variations, taxes, modifier lists and categories.",
    ),
    _snapshot_asset(
        "square_disputes",
        "square",
        lambda c, cl: c.list_disputes(cl),
        "id",
        "updated_at",
        "Square disputes (chargebacks) in every state (full list each run; they stay few).",
    ),
    _snapshot_asset(
        "hubspot_contacts",
        "hubspot",
        lambda c, cl: c.list_contacts(cl),
        "id",
        "updatedAt",
        "HubSpot contacts with the properties the models use.",
    ),
    _snapshot_asset(
        "hubspot_deals",
        "hubspot",
        lambda c, cl: c.list_deals(cl),
        "id",
        "updatedAt",
        "HubSpot deals and their contacts.",
    ),
    _snapshot_asset(
        "xero_accounts",
        "xero",
        lambda c, cl: c.list(cl, "Accounts"),
        "AccountID",
        "UpdatedDateUTC",
        "Xero chart of accounts.",
    ),
    _snapshot_asset(
        "xero_contacts",
        "xero",
        lambda c, cl: c.list(cl, "Contacts"),
        "ContactID",
        "UpdatedDateUTC",
        "Xero contacts.",
    ),
    _snapshot_asset(
        "xero_invoices",
        "xero",
        lambda c, cl: c.list(cl, "Invoices"),
        "InvoiceID",
        "UpdatedDateUTC",
        "Xero invoices.",
    ),
]

PARTITIONED = [
    square_orders,
    square_payments,
    square_refunds,
    square_payouts,
    square_payout_entries,
    xero_bank_transactions,
]
ALL = PARTITIONED + SNAPSHOTS
