"""Landing an extract in the warehouse, and its `extract_conserved` check, for every raw asset.

A partitioned extract runs once per requested window of business dates (one Dagster run for
the window, BackfillPolicy.single_run()), not once per date: each run has a fixed cost in
Dagster's event log that a per-date run paid fourteen times over in the demo. The semantics stay
per date: `over_window` lands the dates oldest first, each date replacing its own partition in
its own transaction with its own `ops.extract_log` rows and dead letters, and each date's
materialization carries that date's counts. The conservation check is evaluated once for the
window and names the date of any problem.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import dagster as dg

from assets.scope import Clients, in_scope
from pipeline.extraction.landing import Balance, Landing
from pipeline.store.raw import log_extract, write_landing
from resources.warehouse import WarehouseResource

CONSERVED = "extract_conserved"
SUMMED = ("fetched", "landed", "dead_letters", "other_date", "duplicates", "lost_pages")

# What one date's extract leaves: its metadata and each business's balance.
Landed = tuple[dict, dict[str, Balance]]


def checks(table: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            CONSERVED,
            asset=dg.AssetKey(["raw", table]),
            description="Every fetched record landed, dead-lettered, filed under its own date or "
            "counted as a duplicate; no page lost; optional endpoints present",
        )
    ]


def land(
    context,
    warehouse: WarehouseResource,
    table: str,
    landing: Landing,
    clients: Clients,
    partition_key: str | None,
    now: datetime,
) -> Landed:
    """Replace one partition (or the snapshot) with `landing`, log it, and prove conservation."""
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
        where = f"raw.{table}" + (f" {partition_key}" if partition_key else "")
        raise dg.Failure(f"{where}: records unaccounted for: " + "; ".join(unaccounted))
    if landing.dead:
        day = f" {partition_key}" if partition_key else ""
        context.log.warning(f"{table}{day}: {len(landing.dead)} dead letters in ops.dead_letter")
    requests, retries = clients.stats()
    metadata = {
        "table": f"raw.{table}",
        "records": len(landing.rows),
        "dead_letters": len(landing.dead),
        "requests": requests,
        "retries": retries,
    }
    return metadata, balances


def snapshot_result(context, table: str, landed: Landed) -> dg.MaterializeResult:
    metadata, balances = landed
    return dg.MaterializeResult(
        metadata=metadata, check_results=[conservation(context, table, {None: balances})]
    )


def over_window(
    context, warehouse: WarehouseResource, table: str, land_day: Callable[[str], Landed]
) -> dg.MaterializeResult:
    """Land every date of the run's window, oldest first, one partition at a time; each date's
    materialization gets that date's metadata. A single-date run is a window of one. The
    warehouse is opened once for the window (WarehouseResource.held), not once per date."""
    by_day: dict[str | None, dict[str, Balance]] = {}
    with warehouse.held():
        for partition_key in context.partition_keys:
            metadata, by_day[partition_key] = land_day(partition_key)
            context.add_asset_metadata(metadata, partition_key=partition_key)
    return dg.MaterializeResult(check_results=[conservation(context, table, by_day)])


def conservation(
    context, table: str, by_day: dict[str | None, dict[str, Balance]]
) -> dg.AssetCheckResult:
    """The window's check: sums over its dates, each problem prefixed with its date."""
    problems: list[str] = []
    lost = False
    elsewhere: dict[str, int] = {}
    status: dict[str, set[str]] = {}
    for day, balances in by_day.items():
        prefix = f"{day} " if day and len(by_day) > 1 else ""
        for business_id, bal in balances.items():
            if bal.warning:
                context.log.warning(f"{table} {prefix}{business_id}: {bal.warning}")
                problems.append(f"{prefix}{business_id}: {bal.warning}")
            if bal.lost_pages:
                lost = True
                problems.append(
                    f"{prefix}{business_id}: {bal.lost_pages} page(s) lost, see ops.dead_letter"
                )
            for other, n in bal.elsewhere.items():
                elsewhere[other] = elsewhere.get(other, 0) + n
            status.setdefault(business_id, set()).add(bal.status)
    # Lost pages first: they are what makes the check an error rather than a warning.
    problems.sort(key=lambda p: "page(s) lost" not in p)
    every = [bal for balances in by_day.values() for bal in balances.values()]
    return dg.AssetCheckResult(
        check_name=CONSERVED,
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR if lost else dg.AssetCheckSeverity.WARN,
        description="; ".join(problems)[:500] or None,
        metadata={
            **{key: sum(getattr(bal, key) for bal in every) for key in SUMMED},
            "other_dates": ", ".join(f"{d}: {n}" for d, n in sorted(elsewhere.items())) or "none",
            "status": ", ".join(f"{b}: {'/'.join(sorted(s))}" for b, s in sorted(status.items()))
            or "none",
        },
    )
