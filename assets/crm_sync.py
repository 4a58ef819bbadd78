"""Reverse ETL to HubSpot: customer facts onto contacts, segments into lists, refund follow-ups
as tasks. Each sends only what changed since the last successful sync and never sends an item
twice, crash or re-run (pipeline/store/hubspot_protocol.py); docs/crm.md says what goes where."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg

from assets.partitions import WAREHOUSE_POOL
from assets.scope import clients_for, in_scope
from pipeline.store.hubspot_contacts import sync_contacts
from pipeline.store.hubspot_protocol import Outcome
from pipeline.store.hubspot_segments import sync_lists, sync_tasks
from resources.hubspot import HubSpotResource
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now

CONTACTS = dg.AssetKey(["ops", "hubspot_contacts"])
LISTS = dg.AssetKey(["ops", "hubspot_segment_lists"])
TASKS = dg.AssetKey(["ops", "hubspot_follow_up_tasks"])
MEMBERSHIPS = dg.AssetKey(["marts", "segment_memberships"])

Stage = Callable[..., Outcome]


def _run(context, hubspot: HubSpotResource, warehouse: WarehouseResource, stage: Stage, **kw):
    at = pipeline_now()
    total = Outcome()
    per_business: dict[str, dict[str, int]] = {}
    with warehouse.connect() as con, clients_for(hubspot) as clients:
        for business in in_scope():
            api = hubspot.bound(clients(business))
            outcome = stage(con, business, api, run_id=context.run_id, at=at, **kw)
            per_business[business] = {"sent": outcome.sent, "refused": outcome.refused}
            for error in outcome.errors:
                context.log.warning(f"{business}: {error}")
            total.add(outcome)
        requests, retries = clients.stats()
    metadata = {
        "calls": total.calls,
        "items_sent": total.sent,
        "items_refused": total.refused,
        "items_reconciled": total.reconciled,
        "requests": requests,
        "retries": retries,
        "per_business": per_business,
    }
    failed = [e for e in total.errors if "wait for a HubSpot contact" not in e]
    if failed:
        raise dg.Failure(
            description=f"{len(failed)} HubSpot call(s) failed (retried next run; ops.sync_log "
            f"has each): {'; '.join(failed[:3])}",
            metadata=metadata,
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=CONTACTS,
    deps=[
        dg.AssetKey(["marts", "customer_facts"]),
        dg.AssetKey(["core", "customers"]),
        MEMBERSHIPS,
    ],
    group_name="crm",
    kinds={"hubspot", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def hubspot_contacts(
    context, hubspot: HubSpotResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Customer facts (visits, purchases, LTV, VIP tier, categories, brands, sizes) on HubSpot
    contacts, upserted by the unique property backbone_customer_id; only changed properties are
    sent; a 207's refused contacts are retried once, then dead-lettered."""
    return _run(context, hubspot, warehouse, sync_contacts)


@dg.asset(
    key=LISTS,
    deps=[CONTACTS, MEMBERSHIPS, dg.AssetKey(["ref", "segments"])],
    group_name="crm",
    kinds={"hubspot", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def hubspot_segment_lists(
    context, hubspot: HubSpotResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Each email/SMS segment as a manual HubSpot list: members added and removed as a diff."""
    return _run(context, hubspot, warehouse, sync_lists)


@dg.asset(
    key=TASKS,
    deps=[CONTACTS, MEMBERSHIPS],
    group_name="crm",
    kinds={"hubspot", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def hubspot_follow_up_tasks(
    context, hubspot: HubSpotResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One HubSpot task on the customer's contact per open refund_follow_up entry."""
    return _run(context, hubspot, warehouse, sync_tasks)


CRM_SYNC = [hubspot_contacts, hubspot_segment_lists, hubspot_follow_up_tasks]
