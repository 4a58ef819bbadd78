"""The refund-reason form: a job staff launch from the Dagster launchpad.

They name a refund and pick a reason from reference/refund_reasons.csv, with an optional note.
The reason is stored in ops.refund_reasons and written to the audit log, then the refund's
business day is re-posted: the refund's journal line takes the reason in its memo and books to
the reason's account. A day already posted gets an adjusting entry; nothing posted is edited.
"""

from datetime import date
from enum import Enum

import dagster as dg
from pydantic import Field

from assets.journal_shared import journal_metadata, post_day_or_fail
from pipeline.store.journal_refund_reasons import refund_posting_days, store_refund_reason
from pipeline.store.reference_codes import refund_reason_codes
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
