"""The jobs: the daily one that runs everything for a business date, and its parts."""

from __future__ import annotations

import dagster as dg

from assets import raw
from assets.crm_sync import CRM_SYNC
from assets.exports import audit_parquet, ledger_beancount, scorecard_duckdb
from assets.journal import daily_journal
from assets.ledger_sync import xero_manual_journals, xero_payout_deposits
from assets.scorecard_page import scorecard_html
from assets.studio_loop import hubspot_deal_status, invoice_drafts
from pipeline.store.sql_models import scorecard_models

EXTRACT = dg.AssetSelection.assets(*raw.PARTITIONED)
JOURNAL = dg.AssetSelection.assets(daily_journal)
# The scorecard's models read the posted journal, the write-back's ops.sync_log and the CRM's
# segments, so they are rebuilt in the export step, after all of those, not with the models.
SCORECARD = dg.AssetSelection.assets(*(dg.AssetKey([m.layer, m.name]) for m in scorecard_models()))
EXPORT = (
    dg.AssetSelection.assets(scorecard_duckdb, scorecard_html, ledger_beancount, audit_parquet)
    | SCORECARD
)
# The write-back stages: every one of their assets writes to a vendor through ops.sync_log.
LEDGER_ASSETS = [xero_manual_journals, xero_payout_deposits]
CRM_ASSETS = [*CRM_SYNC, invoice_drafts, hubspot_deal_status]
LEDGER = dg.AssetSelection.assets(*LEDGER_ASSETS)
CRM = dg.AssetSelection.assets(*CRM_ASSETS)

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
    selection=dg.AssetSelection.all() - EXTRACT - JOURNAL - LEDGER - EXPORT - CRM,
    description="Reference tables, snapshots, staging, core and unpartitioned marts.",
)
journal_job = dg.define_asset_job(
    "journal_job", selection=JOURNAL, description="Post one business date's journal."
)
ledger_job = dg.define_asset_job(
    "ledger_job",
    selection=LEDGER,
    description="Post journal entries not yet in ops.sync_log to Xero ManualJournals, and "
    "arrived payouts to Xero bank transactions or transfers where payout_deposits asks for it.",
)
export_job = dg.define_asset_job(
    "export_job",
    selection=EXPORT,
    description="Rebuild the scorecard's metrics, then swap in the PII-free scorecard.duckdb "
    "and scorecard.html, the Beancount ledger and the audit log's Parquet files.",
)

crm_job = dg.define_asset_job(
    "crm_job",
    selection=CRM,
    description="The CRM half: customer facts, segment lists and refund follow-up tasks to "
    "HubSpot; won deals drafted once in Xero and invoice status back onto HubSpot deals. Only "
    "what changed since the last successful sync, each item once.",
)

ASSET_JOBS = [daily_job, extract_job, models_job, journal_job, ledger_job, export_job, crm_job]
