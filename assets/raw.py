"""Raw extracts: vendor records as JSON, one table per source entity."""

from __future__ import annotations

from datetime import date, datetime

import dagster as dg

from assets.partitions import DAILY, SINGLE_RUN, WAREHOUSE_POOL
from assets.raw_landing import checks, land, over_window, snapshot_result
from assets.scope import business_scopes, clients_for, in_scope, location_scopes
from pipeline.extraction.landing import LOOKBACK, Landing, land_partition, land_snapshot
from pipeline.extraction.shared_fetch import SharedFetch
from pipeline.settings import max_field_bytes
from pipeline.store.raw import payouts_of_day
from resources.http import ApiError
from resources.square import SquareResource
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now
from resources.xero import XeroResource

RAW = {"group_name": "raw", "pool": WAREHOUSE_POOL}
# A window of dates is one run, its dates landed in order (assets/raw_landing.py).
DAILY_RAW = {**RAW, "partitions_def": DAILY, "backfill_policy": SINGLE_RUN}


def _window(context) -> list[date]:
    """The run's business dates (one for a single partition, all of a single-run backfill)."""
    return [date.fromisoformat(key) for key in context.partition_keys]


def _dated_lander(context, connector, warehouse, table: str, fetch, scopes, shared, **fields):
    """`land_day` of a dated extract: each date is fetched (or given its share of the window's
    listing, `shared`), sorted by `land_partition` and landed. The warehouse is let go before
    the vendor is asked, so the file is not locked while it answers. `fetch(client, scope,
    start, end)`; `fields` are land_partition's (date and update fields, id, date kind)."""
    now = pipeline_now()
    source, entity = table.split("_", 1)

    def land_day(partition_key: str):
        day = date.fromisoformat(partition_key)
        with clients_for(connector) as clients:

            def records_for(scope, start, end):
                warehouse.let_go()
                return fetch(clients(scope.business_id), scope, start, end)

            landing = land_partition(
                shared.records_for(day, records_for) if shared else records_for,
                scopes,
                day,
                source=source,
                entity=entity,
                run_id=context.run_id,
                max_field_bytes=max_field_bytes(),
                extracted_at=now,
                **fields,
            )
            return land(context, warehouse, table, landing, clients, partition_key, now)

    return land_day


def _square_partitioned(table: str, fetch, doc: str, open_ended: bool = True):
    """A Square entity landed per business date and location: `fetch(square, client, s, a, b)`."""

    @dg.asset(
        key=["raw", table],
        kinds={"square", "duckdb"},
        description=doc,
        check_specs=checks(table),
        **DAILY_RAW,
    )
    def _asset(context, square: SquareResource, warehouse: WarehouseResource):
        # Updated-since sources: the window's dates share one fetch (shared_fetch.py).
        shared = SharedFetch(_window(context), "created_at", "updated_at") if open_ended else None
        land_day = _dated_lander(
            context,
            square,
            warehouse,
            table,
            lambda client, scope, start, end: fetch(square, client, scope, start, end),
            location_scopes(),
            shared,
            date_field="created_at",
            updated_field="updated_at",
            open_ended=open_ended,
        )
        return over_window(context, warehouse, table, land_day)

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
    kinds={"square", "duckdb"},
    deps=[square_payouts],
    check_specs=checks("square_payout_entries"),
    **DAILY_RAW,
)
def square_payout_entries(context, square: SquareResource, warehouse: WarehouseResource):
    """The charges, refunds and fees each of the day's payouts settles."""
    now = pipeline_now()

    def land_day(partition_key: str):
        with warehouse.connect() as con:
            payouts = payouts_of_day(con, partition_key, in_scope())
        warehouse.let_go()  # not locked while Square answers
        with clients_for(square) as clients:
            landing = _payout_entries(
                context, square, clients, payouts, date.fromisoformat(partition_key), now
            )
            table = "square_payout_entries"
            return land(context, warehouse, table, landing, clients, partition_key, now)

    return over_window(context, warehouse, "square_payout_entries", land_day)


def _payout_entries(context, square, clients, payouts, day: date, now: datetime) -> Landing:
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
    return landing


@dg.asset(
    key=["raw", "xero_bank_transactions"],
    kinds={"xero", "duckdb"},
    check_specs=checks("xero_bank_transactions"),
    **DAILY_RAW,
)
def xero_bank_transactions(context, xero: XeroResource, warehouse: WarehouseResource):
    """Bank lines dated on the business date (deposits of payouts and cash)."""
    # The window's dates share one If-Modified-Since listing (shared_fetch.py).
    shared = SharedFetch(
        _window(context),
        "Date",
        "UpdatedDateUTC",
        local_dates=True,
        lookback=LOOKBACK,
        ordered=False,
    )
    land_day = _dated_lander(
        context,
        xero,
        warehouse,
        "xero_bank_transactions",
        lambda client, scope, start, end: xero.list(
            client, "BankTransactions", modified_since=start - LOOKBACK
        ),
        business_scopes(),
        shared,
        date_field="Date",
        updated_field="UpdatedDateUTC",
        id_field="BankTransactionID",
        local_dates=True,
    )
    return over_window(context, warehouse, "xero_bank_transactions", land_day)


def _snapshot_asset(
    table: str, connector_key: str, fetch, id_field: str, updated_field: str, doc: str
):
    source, entity = table.split("_", 1)

    @dg.asset(
        key=["raw", table],
        kinds={source, "duckdb"},
        description=doc,
        required_resource_keys={connector_key, "warehouse"},
        check_specs=checks(table),
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
            landed = land(context, context.resources.warehouse, table, landing, clients, None, now)
            return snapshot_result(context, table, landed)

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
