"""The Dagster code location: assets, checks, resources, jobs and the daily schedule.

Kept light to load: GX, Pandera and the sandbox are imported inside the steps that use them.
"""

from __future__ import annotations

import os

import dagster as dg

from assets import raw
from assets.checks import (
    journal_lines_gx,
    no_held_out_orders,
    payouts_reconciled,
    pos_barcodes_agree,
    reference_covers_data,
)
from assets.exports import ledger_beancount, scorecard_duckdb
from assets.journal import daily_journal
from assets.ledger_sync import xero_manual_journals
from assets.models import SQL_ASSETS, identity_map, reference_tables
from assets.refund_reason_form import refund_reason_job
from pipeline.schedules import build_daily_schedule
from pipeline.settings import LIVE_BASE_URLS, SANDBOX_BASE_URLS, source_mode
from resources.hubspot import HubSpotResource
from resources.square import SquareResource
from resources.warehouse import WarehouseResource
from resources.xero import XeroResource

ALL_ASSETS = [
    reference_tables,
    *raw.ALL,
    *SQL_ASSETS,
    identity_map,
    daily_journal,
    xero_manual_journals,
    scorecard_duckdb,
    ledger_beancount,
]


def _connector(cls, vendor: str):
    prefix = vendor.upper()
    mode = source_mode()
    defaults = SANDBOX_BASE_URLS if mode == "sandbox" else LIVE_BASE_URLS
    base_url = os.environ.get(f"{prefix}_BASE_URL", defaults[vendor])
    token_var = f"{prefix}_ACCESS_TOKEN"
    if mode == "sandbox" and token_var not in os.environ:
        # The sandbox checks that a bearer token is sent, not which; this one is no secret.
        return cls(base_url=base_url, access_token="sandbox-token")  # noqa: S106
    return cls(base_url=base_url, access_token=dg.EnvVar(token_var))


def resources() -> dict:
    return {
        "square": _connector(SquareResource, "square"),
        "hubspot": _connector(HubSpotResource, "hubspot"),
        "xero": _connector(XeroResource, "xero"),
        "warehouse": WarehouseResource(),
    }


EXTRACT = dg.AssetSelection.assets(*raw.PARTITIONED)
JOURNAL = dg.AssetSelection.assets(daily_journal)
EXPORT = dg.AssetSelection.assets(scorecard_duckdb, ledger_beancount)
LEDGER = dg.AssetSelection.assets(xero_manual_journals)

daily_job = dg.define_asset_job(
    "daily_job",
    selection=dg.AssetSelection.all(),
    description="Everything for one business date: extract, model, post, write back, export.",
)
extract_job = dg.define_asset_job(
    "extract_job", selection=EXTRACT, description="Partitioned extracts of one business date."
)
models_job = dg.define_asset_job(
    "models_job",
    selection=dg.AssetSelection.all() - EXTRACT - JOURNAL - LEDGER - EXPORT,
    description="Reference tables, snapshots, staging, core and unpartitioned marts.",
)
journal_job = dg.define_asset_job(
    "journal_job", selection=JOURNAL, description="Post one business date's journal."
)
ledger_job = dg.define_asset_job(
    "ledger_job",
    selection=LEDGER,
    description="Post journal entries not yet in ops.sync_log to Xero ManualJournals.",
)
export_job = dg.define_asset_job(
    "export_job",
    selection=EXPORT,
    description="Swap in the PII-free scorecard.duckdb and the Beancount ledger.",
)

daily_schedule = build_daily_schedule(daily_job)

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=[
        journal_lines_gx,
        no_held_out_orders,
        reference_covers_data,
        pos_barcodes_agree,
        payouts_reconciled,
    ],
    jobs=[
        daily_job,
        extract_job,
        models_job,
        journal_job,
        ledger_job,
        export_job,
        refund_reason_job,
    ],
    schedules=[daily_schedule],
    resources=resources(),
    executor=dg.in_process_executor,
)
