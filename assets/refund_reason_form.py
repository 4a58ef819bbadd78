"""The refund-reason form: a job staff launch from the Dagster launchpad.

They name a refund and pick a reason from reference/refund_reasons.csv, with an optional note.
The reason is stored in ops.refund_reasons and written to the audit log, then the refund's
business day is re-posted: the refund's journal line takes the reason in its memo and books to
the reason's account. A day already posted gets an adjusting entry; nothing posted is edited.

The form's job is an op job (it takes typed config), and a job is either ops or assets, so what
follows the re-posted journal runs as its own asset job, started by a sensor as soon as the form
succeeds: the journal's checks (the blocking GX balance suite among them) on the re-posted lines,
the Xero write-back of the adjusting entry, and the exports (scorecard.duckdb, the Beancount
ledger, the audit Parquet), so nothing is left stale until the next daily run.
"""

from datetime import date
from enum import Enum

import dagster as dg
from pydantic import Field

from assets.checks import journal_lines_gx, no_held_out_orders
from assets.exports import audit_parquet, ledger_beancount, scorecard_duckdb
from assets.journal_shared import journal_metadata, post_day_or_fail
from assets.ledger_sync import xero_manual_journals
from assets.scorecard_page import scorecard_html
from pipeline.store.journal_refund_reasons import refund_posting_days, store_refund_reason
from pipeline.store.reference_codes import refund_reason_codes
from pipeline.store.sql_models import scorecard_models
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now

# The launchpad offers exactly the reasons operations maintain (read when definitions load).
RefundReason = Enum("RefundReason", {code: code for code in refund_reason_codes()})  # type: ignore[misc]


class RefundReasonForm(dg.Config):
    refund_id: str = Field(description="The Square refund id (core.tender_facts.fact_id).")
    reason: RefundReason = Field(description="Why the money went back (refund_reasons.csv).")
    note: str = Field(default="", description="Anything the bookkeeper should know.")


@dg.op(description="Store the refund's reason and note, and audit it.")
def record_refund_reason(
    context: dg.OpExecutionContext, config: RefundReasonForm, warehouse: WarehouseResource
) -> str:
    with warehouse.connect() as con:
        found = refund_posting_days(con, config.refund_id)
        if len(found) > 1:
            raise dg.Failure(
                description=f"refund {config.refund_id!r} exists in several businesses "
                f"({', '.join(b for b, _ in found)}); refund ids must be unique"
            )
        if not found:
            raise dg.Failure(
                description=f"refund {config.refund_id!r} is not in core.tender_facts: check the "
                "id in Square, or run the day's extract first"
            )
        ((business_id, day),) = found
        store_refund_reason(
            con,
            config.refund_id,
            business_id,
            config.reason.value,
            config.note,
            context.run_id,
            at=pipeline_now(),
        )
    context.log.info(f"refund {config.refund_id}: {config.reason.value}; re-posting {day}")
    return day.isoformat()


@dg.op(description="Re-post the refund's business day so the journal reflects the reason.")
def repost_refund_day(
    context: dg.OpExecutionContext, day: str, warehouse: WarehouseResource
) -> None:
    with warehouse.connect() as con:
        entries, held = post_day_or_fail(con, date.fromisoformat(day), context.run_id)
    for key, metadata in journal_metadata(entries, held).items():
        context.log_event(dg.AssetMaterialization(asset_key=key, partition=day, metadata=metadata))


@dg.job(
    description="Refund-reason form: give a refund its reason; its day is re-posted.",
    tags={"form": "refund_reason"},
)
def refund_reason_job():
    repost_refund_day(record_refund_reason())


refund_reason_followup_job = dg.define_asset_job(
    "refund_reason_followup_job",
    selection=dg.AssetSelection.checks(journal_lines_gx, no_held_out_orders)
    | dg.AssetSelection.assets(
        xero_manual_journals,
        scorecard_duckdb,
        scorecard_html,
        ledger_beancount,
        audit_parquet,
        # The metrics of the journal (write-offs, close duration) and the sync log change too.
        *(dg.AssetKey([m.layer, m.name]) for m in scorecard_models()),
    ),
    description="After the refund-reason form: check the re-posted journal (GX balance suite), "
    "write the adjusting entry to Xero, rebuild the scorecard's metrics, refresh "
    "scorecard.duckdb, scorecard.html, the Beancount ledger and the audit Parquet. Started by "
    "the refund_reason_followup sensor.",
    tags={"form": "refund_reason"},
)


@dg.run_status_sensor(
    name="refund_reason_followup",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[refund_reason_job],
    request_job=refund_reason_followup_job,
    # On by default: a stored reason must reach Xero and the exports with no one to remember it.
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="When a refund-reason form run succeeds, run refund_reason_followup_job: "
    "journal checks, Xero write-back and exports for the adjusting entry.",
)
def refund_reason_followup(context: dg.RunStatusSensorContext):
    form_run = context.dagster_run.run_id
    # One follow-up per form run, however often the sensor sees it.
    return dg.RunRequest(run_key=form_run, tags={"backbone/form_run": form_run})
