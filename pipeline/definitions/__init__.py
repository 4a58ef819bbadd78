"""The Dagster code location: every asset, check, job, schedule and resource, merged once.

This package is the only place that knows the whole graph; `assets/` defines the pieces and
never imports it. Kept light to load: GX and Pandera are imported inside the steps that use them.
"""

from __future__ import annotations

import dagster as dg

from assets import raw
from assets.checks import ALL_CHECKS
from assets.crm_sync import CRM_SYNC
from assets.exports import audit_parquet, ledger_beancount, scorecard_duckdb
from assets.journal import daily_journal
from assets.ledger_sync import xero_manual_journals, xero_payout_deposits
from assets.models import identity_map, reference_tables
from assets.privacy import erase_customer_job, raw_retention_job
from assets.refund_reason_form import (
    refund_reason_followup,
    refund_reason_followup_job,
    refund_reason_job,
)
from assets.scorecard_page import scorecard_html
from assets.studio_loop import hubspot_deal_status, invoice_drafts, scope_change_job
from pipeline.definitions.jobs import ASSET_JOBS, daily_job
from pipeline.definitions.resources import resources
from pipeline.definitions.schedules import build_daily_schedule
from pipeline.definitions.sql_assets import SQL_ASSETS

ALL_ASSETS = [
    reference_tables,
    *raw.ALL,
    *SQL_ASSETS,
    identity_map,
    daily_journal,
    xero_manual_journals,
    xero_payout_deposits,
    *CRM_SYNC,
    scorecard_duckdb,
    scorecard_html,
    ledger_beancount,
    audit_parquet,
    invoice_drafts,
    hubspot_deal_status,
]

daily_schedule = build_daily_schedule(daily_job)

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[
        *ASSET_JOBS,
        refund_reason_job,
        refund_reason_followup_job,
        scope_change_job,
        erase_customer_job,
        raw_retention_job,
    ],
    sensors=[refund_reason_followup],
    schedules=[daily_schedule],
    resources=resources(),
    executor=dg.in_process_executor,
)
