"""`backbone demo`: the last N business days for the demo businesses, end to end."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console()
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def business_days(days: int, today: date | None = None) -> list[str]:
    """The last `days` complete dates, oldest first (yesterday is the newest)."""
    end = (today or datetime.now(UTC).date()) - timedelta(days=1)
    return [(end - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def _today() -> date:
    """Real today, or in sandbox mode the sandbox clock's (BACKBONE_SANDBOX_NOW)."""
    from resources.world import pipeline_now

    return pipeline_now().date()


def _run(defs, instance, job: str, partition: str | None, label: str):
    started = time.monotonic()
    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance,
        partition_key=partition,
        run_config=QUIET,
        raise_on_error=False,
        tags={"backbone/launched_by": "demo"},
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


def run_demo(days: int = 14, businesses: list[str] | None = None, home: Path | None = None) -> int:
    if home is not None:
        os.environ["BACKBONE_HOME"] = str(home.resolve())
    if businesses:
        os.environ["BACKBONE_BUSINESSES"] = ",".join(businesses)
    check_reference()

    from dagster import DagsterInstance

    from pipeline.app.instance import prepare_dagster_home
    from pipeline.settings import (
        backbone_home,
        ledger_export_path,
        scorecard_path,
        source_mode,
        warehouse_path,
    )

    prepare_dagster_home()
    from pipeline.definitions import defs

    partitions = business_days(days, today=_today())
    console.print(
        f"[bold]Backbone demo[/bold]: {partitions[0]} .. {partitions[-1]} "
        f"({days} business days) into {backbone_home()}"
    )
    world = "the bundled simulator" if source_mode() == "sandbox" else "the vendors' live APIs"
    console.print(f"  source: {source_mode()} ({world}; BACKBONE_SOURCE)", highlight=False)
    started = time.monotonic()
    with DagsterInstance.get() as instance:
        console.print("[bold]1/5 Extract[/bold] POS, CRM and ledger per business date")
        for n, partition in enumerate(partitions, 1):
            _run(defs, instance, "extract_job", partition, f"{partition} [{n}/{days}]")
        console.print("[bold]2/5 Model[/bold] reference, staging, identity, catalog, tenders")
        _run(defs, instance, "models_job", None, "models")
        console.print("[bold]3/5 Post[/bold] daily journals (GX suite blocks on imbalance)")
        for n, partition in enumerate(partitions, 1):
            _run(defs, instance, "journal_job", partition, f"{partition} [{n}/{days}]")
        console.print("[bold]4/5 Write back[/bold] journal entries to Xero (once each)")
        result = _run(defs, instance, "ledger_job", None, "ledger write-back")
        console.print(f"    {_ledger_label(result)}", soft_wrap=True, highlight=False)
        console.print("[bold]5/5 Export[/bold] PII-free scorecard, Beancount ledger")
        _run(defs, instance, "export_job", None, "scorecard.duckdb and ledger.beancount swapped in")
    print_scorecard(scorecard_path(), partitions)
    console.print(f"\nDone in {time.monotonic() - started:.0f}s.")
    console.print(f"  warehouse: {warehouse_path()}")
    console.print(f"  scorecard: {scorecard_path()}  (duckdb {scorecard_path()})")
    console.print(f"  ledger:    {ledger_export_path()}  (bean-check it)")
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
