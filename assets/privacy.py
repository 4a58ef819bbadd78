"""Privacy jobs an operator launches from the UI (or `backbone erase`): erasure on request and
the raw-payload retention purge. Bodies only wire: pipeline/store/erasure_request.py and
retention.py hold the work."""

import getpass
from datetime import timedelta

import dagster as dg
from pydantic import Field

from assets.scope import clients_for
from pipeline.settings import raw_retention_days
from pipeline.store.erasure import UnknownCustomer
from pipeline.store.erasure_request import Erasure, erase_customer
from pipeline.store.retention import purge_expired_pii
from resources.hubspot import HubSpotResource
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now


class ErasureRequest(dg.Config):
    customer_id: str = Field(description="Backbone's customer id (core.customers.customer_id).")
    requested_by: str = Field(
        default="", description="Who handled the request (default: the UI user, else the OS user)."
    )


def run_erasure(
    customer_id: str,
    requested_by: str,
    hubspot: HubSpotResource,
    warehouse: WarehouseResource,
    run_id: str | None,
) -> Erasure:
    """The request, as the job and `backbone erase` both run it."""
    with warehouse.connect() as con, clients_for(hubspot) as clients:
        return erase_customer(
            con,
            customer_id,
            requested_by=requested_by,
            delete_contact=lambda b, contact, key: hubspot.gdpr_delete_contact(
                clients(b), key, contact
            ),
            home=warehouse.resolved_path().parent,
            run_id=run_id,
            at=pipeline_now(),
        )


def describe(result: Erasure) -> str:
    hub = ", ".join(f"{b}/{c} {s}" for b, c, s in result.hubspot) or "no HubSpot contact"
    return (
        f"customer {result.customer_id} erased as {result.pseudonym}: "
        f"{result.rows_scrubbed} rows scrubbed, {len(result.files_scrubbed)} files; HubSpot: {hub}"
    )


@dg.op(description="Erase one customer's PII everywhere; GDPR-delete their HubSpot contacts.")
def erase_customer_op(
    context: dg.OpExecutionContext,
    config: ErasureRequest,
    hubspot: HubSpotResource,
    warehouse: WarehouseResource,
) -> None:
    who = config.requested_by or context.run.tags.get("dagster/user") or getpass.getuser()
    try:
        result = run_erasure(config.customer_id.strip(), who, hubspot, warehouse, context.run_id)
    except UnknownCustomer as exc:
        raise dg.Failure(description=str(exc)) from None
    if result.hubspot_error:
        raise dg.Failure(
            description=f"{describe(result)}; HubSpot refused: {result.hubspot_error} "
            "(the warehouse is scrubbed; run the request again to retry HubSpot)"
        )
    context.log.info(describe(result))


@dg.job(
    description="Erasure on request: removes one customer's PII from raw payloads, staging, core, "
    "marts, dead letters, sync state, the scorecard and exports, keeps their financial rows under "
    "a pseudonym, asks HubSpot to GDPR-delete the contact, and logs it in ops.erasure_log.",
    tags={"form": "erasure"},
)
def erase_customer_job():
    erase_customer_op()


class RetentionConfig(dg.Config):
    days: int = Field(
        default=0,
        description="Purge PII from raw payloads landed more than this many days ago "
        "(0: BACKBONE_RAW_RETENTION_DAYS, default 730).",
    )


@dg.op(description="Purge PII from raw payloads older than the retention.")
def purge_raw_pii_op(
    context: dg.OpExecutionContext, config: RetentionConfig, warehouse: WarehouseResource
) -> None:
    days = config.days or raw_retention_days()
    cutoff = pipeline_now() - timedelta(days=days)
    with warehouse.connect() as con:
        purged = purge_expired_pii(con, cutoff, run_id=context.run_id)
    context.log.info(f"raw payloads landed before {cutoff:%Y-%m-%d}: {purged or 'none to purge'}")


@dg.job(
    description="Retention: personal fields of raw payloads landed longer ago than the retention "
    "(BACKBONE_RAW_RETENTION_DAYS) are emptied; amounts, dates and ids stay.",
)
def raw_retention_job():
    purge_raw_pii_op()
