"""The one runner behind `backbone run` and `backbone demo`: chosen business dates, end to end.

It runs what the daily schedule runs (pipeline/definitions/schedules.py, jobs.py) for the dates:
the partitioned extracts and the journal as one run each over the whole window (their dates in
order inside it), the models, the Xero write-back, the CRM half and the exports,
against whichever world BACKBONE_SOURCE names, and prints numbered stages, a tick and seconds per
run, what each date did, a scorecard and where the files are.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console()
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def use_home_and_businesses(home: Path | None, businesses: list[str] | None) -> None:
    """--home and --business reach the definitions through the environment they read."""
    if home is not None:
        os.environ["BACKBONE_HOME"] = str(home.resolve())
    if businesses:
        os.environ["BACKBONE_BUSINESSES"] = ",".join(businesses)


def check_reference() -> None:
    """Fail before any run on a bad reference CSV: one line per problem, file:line: field."""
    from pipeline.settings import reference_dir
    from pipeline.store.reference_files import ReferenceDataError, load_all

    try:
        load_all()
    except ReferenceDataError as exc:
        # Pandera may report several cells; each is one line naming file, line and field.
        first, *more = str(exc).splitlines()
        for n, problem in enumerate([first, *more]):
            prefix = "✗ bad reference data: " if n == 0 else "  "
            console.print(prefix + problem, style="red", highlight=False, soft_wrap=True)
        console.print(
            f"  (reference dir: {reference_dir()})", style="dim", highlight=False, soft_wrap=True
        )
        raise SystemExit(1) from None


def _say(line: str) -> None:
    console.print(f"  [yellow]{line}[/yellow]", highlight=False, soft_wrap=True)


def _run(defs, instance, job: str, window: tuple[str, str] | None, label: str, launched_by: str):
    from assets.partitions import WAREHOUSE_POOL
    from pipeline.app.launch import launch
    from pipeline.app.recovery import process_tags, wait_for_pool, wait_seconds

    # A run killed earlier would otherwise keep the warehouse pool forever (recovery.py).
    wait_for_pool(instance, WAREHOUSE_POOL, timeout=wait_seconds(), say=_say)
    started = time.monotonic()
    result = launch(
        defs.resolve_job_def(job),
        instance,
        window=window,
        run_config=QUIET,
        tags={"backbone/launched_by": launched_by, **process_tags()},
    )
    took = time.monotonic() - started
    if not result.success:
        failures = [
            e.event_specific_data.error.message.strip()
            for e in result.all_events
            if e.is_step_failure and e.event_specific_data and e.event_specific_data.error
        ]
        console.print(f"[red]✗ {label} failed after {took:.1f}s[/red]")
        for message in failures:
            console.print(f"  [red]{message}[/red]")
        raise SystemExit(1)
    console.print(f"  [green]✓[/green] {label} [dim]({took:.1f}s)[/dim]")
    return result


def _ledger_label(result) -> str:
    """What the write-back did, from its materialization: a re-run shows 0 sent."""
    for event in result.get_asset_materialization_events():
        meta = event.materialization.metadata
        if "posted_this_run" in meta:
            return (
                f"{meta['posted_this_run'].value} manual journal(s) posted to Xero in "
                f"{meta['requests'].value} request(s); {meta['posted_total'].value} in "
                "ops.sync_log"
            )
    return "Xero manual journals"


def _per_date(result, metadata_key: str) -> dict[str, int]:
    """A count per business date, summed over the run's materializations that carry it."""
    counts: dict[str, int] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        value = materialization.metadata.get(metadata_key)
        if materialization.partition and value is not None:
            day = materialization.partition
            counts[day] = counts.get(day, 0) + int(value.value)
    return counts


def _say_per_date(partitions: list[str], line) -> None:
    for n, day in enumerate(partitions, 1):
        console.print(f"    {day} [{n}/{len(partitions)}] {line(day)}", highlight=False)


def run_dates(partitions: list[str], *, command: str) -> int:
    """Materialize every asset for `partitions` (business dates, oldest first), in the
    schedule's order; `command` ("run" or "demo") titles the output and tags the Dagster runs.
    One at a time per home: a second run waits for the first (recovery.home_lock)."""
    check_reference()
    from pipeline.app.recovery import home_lock, wait_seconds
    from pipeline.settings import backbone_home

    with home_lock(backbone_home(), timeout=wait_seconds(), say=_say):
        return _run_dates(partitions, command=command)


def _run_dates(partitions: list[str], *, command: str) -> int:
    from dagster import DagsterInstance

    from pipeline.app.instance import prepare_dagster_home, storage_description
    from pipeline.app.summary import print_crm_summary
    from pipeline.settings import (
        audit_export_dir,
        backbone_home,
        ledger_export_path,
        pipeline_clock,
        scorecard_html_path,
        scorecard_path,
        selected_businesses,
        source_mode,
        use_sandbox_state_under_home,
        warehouse_path,
    )
    from resources.world import pipeline_now

    prepare_dagster_home()
    use_sandbox_state_under_home()
    from pipeline.definitions import defs

    days = len(partitions)
    console.print(
        f"[bold]Backbone {command}[/bold]: {partitions[0]} .. {partitions[-1]} "
        f"({days} business days) into {backbone_home()}"
    )
    world = "the bundled simulator" if source_mode() == "sandbox" else "the vendors' live APIs"
    console.print(f"  source: {source_mode()} ({world}; BACKBONE_SOURCE)", highlight=False)
    if pipeline_clock() is not None:
        clock = "BACKBONE_NOW"
    else:
        clock = "the simulator's" if source_mode() == "sandbox" else "the real clock"
    console.print(f"  clock:  {pipeline_now().isoformat()} ({clock})", highlight=False)
    console.print(f"  dagster: {storage_description()}", highlight=False, soft_wrap=True)
    started = time.monotonic()

    run_ids: list[str] = []

    def step(job: str, window: tuple[str, str] | None, label: str):
        result = _run(defs, instance, job, window, label, command)
        run_ids.append(result.run_id)
        return result

    # One run per stage: the dated stages run over the whole window in one run each, their
    # dates in order inside it (assets/partitions.py), and print what each date did.
    window = (partitions[0], partitions[-1])
    dated = f"{window[0]} .. {window[1]} ({days} business dates, one run)"
    if days == 1:
        dated = window[0]
    with DagsterInstance.get() as instance:
        console.print("[bold]1/6 Extract[/bold] POS, CRM and ledger per business date")
        result = step("extract_job", window, dated)
        records, dead = _per_date(result, "records"), _per_date(result, "dead_letters")
        _say_per_date(
            partitions, lambda d: f"{records.get(d, 0)} records, {dead.get(d, 0)} dead letters"
        )
        console.print("[bold]2/6 Model[/bold] reference, staging, identity, catalog, tenders")
        step("models_job", None, "models")
        console.print("[bold]3/6 Post[/bold] daily journals (GX suite blocks on imbalance)")
        result = step("journal_job", window, dated)
        entries = _per_date(result, "entries")
        _say_per_date(partitions, lambda d: f"{entries.get(d, 0)} new journal entries")
        console.print("[bold]4/6 Write back[/bold] journal entries to Xero (once each)")
        result = step("ledger_job", None, "ledger write-back")
        console.print(f"    {_ledger_label(result)}", soft_wrap=True, highlight=False)
        console.print(
            "[bold]5/6 CRM[/bold] facts, segments, follow-ups to HubSpot; won deals to Xero drafts"
        )
        step("crm_job", None, "HubSpot contacts, lists, tasks and deals; Xero invoice drafts")
        console.print("[bold]6/6 Export[/bold] PII-free scorecard, Beancount ledger, audit log")
        step("export_job", None, "scorecard.duckdb, ledger.beancount, exports/audit swapped in")
    print_scorecard(scorecard_path(), partitions)
    print_crm_summary(console, warehouse_path(), run_ids, selected_businesses())
    console.print(f"\nDone in {time.monotonic() - started:.0f}s.")
    console.print(f"  warehouse: {warehouse_path()}")
    console.print(f"  scorecard: {scorecard_path()}  (backbone sql {scorecard_path()})")
    console.print(f"  page:      {scorecard_html_path()}  (charts; opens offline)")
    console.print(f"  ledger:    {ledger_export_path()}  (bean-check it)")
    console.print(f"  audit:     {audit_export_dir()}  (backbone audit verify)")
    console.print(f"  dagster:   {backbone_home() / 'dagster'}  (make ui)")
    return 0


def print_scorecard(path: Path, partitions: list[str]) -> None:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            """
            SELECT business_id,
                   sum(value) FILTER (WHERE metric = 'orders') AS orders,
                   sum(value) FILTER (WHERE metric = 'net_sales') AS net_sales,
                   max(value) FILTER (WHERE metric = 'sync_error_rate_pct') AS worst_error_pct
            FROM marts.scorecard_daily
            WHERE business_date BETWEEN ? AND ?
            GROUP BY ALL ORDER BY business_id
            """,
            [partitions[0], partitions[-1]],
        ).fetchall()
        balance = con.execute(
            "SELECT count(DISTINCT entry_id), sum(debit), sum(credit) FROM marts.journal_lines "
            "WHERE business_date BETWEEN ? AND ?",
            [partitions[0], partitions[-1]],
        ).fetchone()
    table = Table(title=f"Scorecard {partitions[0]} .. {partitions[-1]}")
    for column in ("business", "orders", "net sales", "worst sync error %"):
        table.add_column(column, justify="right" if column != "business" else "left")
    for business, orders, net_sales, error in rows:
        table.add_row(business, f"{int(orders or 0):,}", f"{net_sales or 0:,.2f}", f"{error or 0}")
    console.print(table)
    entries, debit, credit = balance
    console.print(
        f"Journal: {entries} entries, debits {debit or 0:,.2f} = credits {credit or 0:,.2f}"
    )
