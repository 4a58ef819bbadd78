"""The studio's deal-to-cash loop (docs/crm.md, "The studio loop"): won deals drafted as Xero
invoices, their payment status fed back to the HubSpot deal, and the scope-change form.
Bodies only wire: rules in pipeline/crm/, protocol in pipeline/store/deal_invoicing.py,
deal_status_sync.py and scope_change.py."""

from decimal import Decimal, InvalidOperation

import dagster as dg
from pydantic import Field

from assets.ledger_sync import _is_permanent
from assets.partitions import WAREHOUSE_POOL
from assets.scope import clients_for, in_scope
from pipeline.crm.invoicing import ScopeChangeRefused
from pipeline.store.deal_invoicing import draft_won_deals
from pipeline.store.deal_status_sync import ensure_properties, push_properties, refresh_status
from pipeline.store.scope_change import ScopeChange, apply_scope_change
from resources.hubspot import HubSpotResource
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now
from resources.xero import XeroResource

INVOICE_DRAFTS = dg.AssetKey(["marts", "invoice_drafts"])
DEAL_STATUS = dg.AssetKey(["ops", "hubspot_deal_status"])
_STAGING = ("stg_hubspot__deals", "stg_xero__invoices", "stg_xero__contacts")


@dg.asset(
    key=INVOICE_DRAFTS,
    deps=[dg.AssetKey(["staging", t]) for t in _STAGING]
    + [dg.AssetKey(["core", "identity_map"])]
    + [dg.AssetKey(["ref", t]) for t in ("invoice_rules", "lifecycle_states", "locations")],
    group_name="crm",
    kinds={"xero", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def invoice_drafts(
    context, xero: XeroResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Each deal newly won gets one DRAFT balance invoice and one DRAFT deposit invoice in Xero
    per reference/invoice_rules.csv (once: ops.sync_log); deals won before the cutover adopt
    the bookkeeper's hand-raised invoice. Every version of a deal's draft, never edited."""
    with warehouse.connect() as con, clients_for(xero) as clients:
        result = draft_won_deals(
            con,
            in_scope(),
            lambda business, key, body: xero.put_invoice(clients(business), key, body),
            run_id=context.run_id,
            at=pipeline_now(),
            is_permanent=_is_permanent,
            log=context.log.warning,
        )
        drafted = con.execute(
            "SELECT count(DISTINCT deal_id) FROM marts.invoice_drafts"
        ).fetchone()[0]
        requests, retries = clients.stats()
    metadata = {
        "drafted_this_run": len(result.created),
        "adopted_this_run": len(result.adopted),
        "invoices_posted_this_run": len(result.sync.posted),
        "invoices_failed_this_run": len(result.sync.failed),
        "not_invoiced": len(result.skipped),
        "deals_with_drafts": drafted,
        "requests": requests,
        "retries": retries,
    }
    if result.sync.failed:
        shown = "; ".join(f"{k}: {e}" for k, e in result.sync.failed[:5])
        raise dg.Failure(
            description=f"{len(result.sync.failed)} invoice(s) not created in Xero (retried "
            f"next run with the same keys; ops.sync_log has each error): {shown}",
            metadata=metadata,
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=DEAL_STATUS,
    deps=[INVOICE_DRAFTS, dg.AssetKey(["staging", "stg_xero__invoices"])],
    group_name="crm",
    kinds={"hubspot", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def hubspot_deal_status(
    context, hubspot: HubSpotResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Each drafted deal's invoice status, amount due and delivery status (paused until the
    deposit is paid) from the latest Xero extract, sent to its HubSpot deal only when changed."""
    now = pipeline_now()
    businesses = in_scope()
    with warehouse.connect() as con, clients_for(hubspot) as clients:
        moved = refresh_status(con, businesses, run_id=context.run_id, at=now)
        with_drafts = [
            b
            for (b,) in con.execute(
                "SELECT DISTINCT business_id FROM marts.invoice_drafts ORDER BY 1"
            ).fetchall()
            if b in businesses
        ]
        created = ensure_properties(
            con,
            with_drafts,
            lambda b, name: hubspot.has_property(clients(b), "deals", name),
            lambda b, key, body: hubspot.create_property(clients(b), "deals", key, body),
            run_id=context.run_id,
            at=now,
        )
        result = push_properties(
            con,
            with_drafts,
            lambda b, key, deal_id, props: hubspot.update_deal(clients(b), key, deal_id, props),
            read=lambda b, deal_id, names: hubspot.deal_properties(clients(b), deal_id, names),
            run_id=context.run_id,
            at=now,
            is_permanent=_is_permanent,
            log=context.log.warning,
        )
        requests, retries = clients.stats()
    metadata = {
        "deals_moved_this_run": len(moved),
        "properties_created": len(created),
        "deals_updated_this_run": len(result.posted),
        "deals_failed_this_run": len(result.failed),
        "requests": requests,
        "retries": retries,
    }
    if result.failed:
        raise dg.Failure(
            description=f"{len(result.failed)} deal update(s) not sent to HubSpot (retried next "
            f"run): " + "; ".join(f"{k}: {e}" for k, e in result.failed[:5]),
            metadata=metadata,
        )
    return dg.MaterializeResult(metadata=metadata)


class ScopeChangeForm(dg.Config):
    deal_id: str = Field(description="The HubSpot deal id (marts.invoice_drafts.deal_id).")
    new_amount: str = Field(description="The deal's new total, e.g. 2750.00 (exact decimal).")
    approver: str = Field(default="", description="Who approved the change (required).")
    note: str = Field(default="", description="Why the scope changed.")


@dg.op(description="Version the deal's invoices in Xero, update the HubSpot deal, audit it.")
def apply_scope_change_op(
    context: dg.OpExecutionContext,
    config: ScopeChangeForm,
    xero: XeroResource,
    hubspot: HubSpotResource,
    warehouse: WarehouseResource,
) -> None:
    try:
        amount = Decimal(config.new_amount.strip())
    except InvalidOperation:
        raise dg.Failure(description=f"new_amount {config.new_amount!r} is not a number") from None
    change = ScopeChange(config.deal_id.strip(), amount, config.approver, config.note)
    with warehouse.connect() as con, clients_for(xero) as xc, clients_for(hubspot) as hc:
        try:
            row = apply_scope_change(
                con,
                change,
                lambda b, key, invoice_id, body: xero.update_invoice(xc(b), key, invoice_id, body),
                lambda b, key, deal_id, props: hubspot.update_deal(hc(b), key, deal_id, props),
                run_id=context.run_id,
                at=pipeline_now(),
            )
        except ScopeChangeRefused as exc:
            raise dg.Failure(description=f"scope change refused: {exc}") from None
    context.log.info(
        f"deal {row['deal_id']}: version {row['version']}, total {row['total']}, "
        f"deposit {row['deposit_due']}, approved by {row['approver']}"
    )


@dg.job(
    description="Scope change form: a won deal's new amount, with its approver and a note; "
    "versions the invoice draft, updates Xero and the HubSpot deal, writes the audit log.",
    tags={"form": "scope_change"},
)
def scope_change_job():
    apply_scope_change_op()
