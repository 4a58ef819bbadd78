"""Great Expectations (GX Core 1.x) suite for the journal, called directly.

GX takes seconds to import, so it is imported here, inside the function, and only the check
step pays for it. Each validation is named by the business dates it covers ("journal
2026-11-18"), so Data Docs list results by date; Data Docs are built once per call, for the
results it wrote, and made to open offline (pipeline/store/data_docs.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.kernel.money import to_cents


@dataclass
class SuiteResult:
    success: bool
    evaluated: int
    failed: list[str]
    # Data Docs pages that still load something from the network (expected: none).
    remote: list[str] = field(default_factory=list)
    # The validation runs (business dates) that failed.
    failed_runs: list[str] = field(default_factory=list)


def journal_lines_for(
    con: duckdb.DuckDBPyConnection, dates: tuple[str, str] | None = None
) -> pd.DataFrame:
    """The lines to validate for business dates first..last (all lines when None): lines dated
    in the window, and those of entries whose activity is in it, i.e. the adjusting entries a
    re-run of those dates posted on a later date. A line with no entry is kept (by its date)."""
    sql = (
        "SELECT l.entry_id, l.line_no, l.account_code, l.debit, l.credit "
        "FROM marts.journal_lines AS l LEFT JOIN marts.journal_entries AS e USING (entry_id)"
    )
    params: list = []
    if dates is not None:
        sql += (
            " WHERE l.business_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)"
            " OR e.activity_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)"
        )
        params = [*dates, *dates]
    cursor = con.execute(sql + " ORDER BY l.entry_id, l.line_no", params)
    # Python objects, so DECIMAL stays Decimal (DuckDB's .df() would give floats).
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns)


def journal_frames(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines in integer cents, and one row per entry with its imbalance."""
    cents = lines.assign(
        debit_cents=lines["debit"].map(to_cents),
        credit_cents=lines["credit"].map(to_cents),
    )[["entry_id", "line_no", "account_code", "debit_cents", "credit_cents"]]
    per_entry = cents.groupby("entry_id", as_index=False)[["debit_cents", "credit_cents"]].sum()
    per_entry["imbalance_cents"] = per_entry["debit_cents"] - per_entry["credit_cents"]
    return cents, per_entry


def _context(project_root: Path | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if project_root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        # A file context under $BACKBONE_HOME/gx keeps results and builds Data Docs there.
        context = gx.get_context(mode="file", project_root_dir=str(project_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _batch_definition(source, name: str):
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name)
    try:
        return asset.get_batch_definition(f"{name}_all")
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(f"{name}_all")


def journal_expectations(gxe) -> dict[str, list]:
    return {
        "journal_lines": [
            gxe.ExpectColumnValuesToNotBeNull(column="entry_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="account_code"),
            gxe.ExpectColumnValuesToMatchRegex(column="account_code", regex=r"^\d{3,4}$"),
            gxe.ExpectColumnValuesToBeBetween(column="debit_cents", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(column="credit_cents", min_value=0),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["entry_id", "line_no"]),
        ],
        "journal_entry_balance": [
            gxe.ExpectColumnValuesToBeBetween(column="imbalance_cents", min_value=0, max_value=0),
        ],
    }


def journal_lines_by_date(
    con: duckdb.DuckDBPyConnection, dates: tuple[str, str]
) -> dict[str, pd.DataFrame]:
    """The lines `journal_lines_for` picks for first..last, one frame per business date, so each
    date is its own validation in Data Docs. A line is filed under its own date when that is in
    the window, else under the date its entry corrects (an adjustment posted later)."""
    cursor = con.execute(
        "SELECT CAST(CASE WHEN l.business_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) "
        "THEN l.business_date ELSE coalesce(e.activity_date, l.business_date) END AS VARCHAR) "
        "FROM marts.journal_lines AS l LEFT JOIN marts.journal_entries AS e USING (entry_id) "
        "WHERE l.business_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) "
        "OR e.activity_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) "
        "ORDER BY l.entry_id, l.line_no",
        [*dates, *dates, *dates],
    )
    filed_under = [day for (day,) in cursor.fetchall()]
    lines = journal_lines_for(con, dates)
    return {
        day: frame.reset_index(drop=True)
        for day, frame in lines.groupby(pd.Series(filed_under, index=lines.index), sort=True)
    }


def run_journal_suite(
    lines: pd.DataFrame,
    project_root: Path | None = None,
    *,
    run_name: str = "journal",
    run_time: datetime | None = None,
) -> SuiteResult:
    """Validate `lines` as validation run `run_name` at `run_time` (the pipeline's clock); with
    `project_root`, results and offline Data Docs go to project_root/gx."""
    return run_journal_suites({run_name: lines}, project_root, run_time=run_time)


def run_journal_suites(
    batches: dict[str, pd.DataFrame],
    project_root: Path | None = None,
    *,
    run_time: datetime | None = None,
) -> SuiteResult:
    """Validate each batch of lines as its own validation run (named by its key, e.g. "journal
    2026-11-18") with one GX context, then build Data Docs once for all of them."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    started = time.time()
    context = _context(project_root)
    source = context.data_sources.add_or_update_pandas("journal")
    checkpoints = {}
    for name, expectations in journal_expectations(gxe).items():
        suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=name, expectations=expectations)
        )
        validation = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(
                name=f"{name}_validation", data=_batch_definition(source, name), suite=suite
            )
        )
        # No UpdateDataDocsAction: Data Docs are built once below, not once per checkpoint.
        checkpoints[name] = context.checkpoints.add_or_update(
            gx.Checkpoint(name=name, validation_definitions=[validation], actions=[])
        )
    failed, failed_runs, evaluated = [], [], 0
    built = [ExpectationSuiteIdentifier(name=name) for name in checkpoints]
    for run_name, lines in batches.items():
        cents, per_entry = journal_frames(lines)
        frames = {"journal_lines": cents, "journal_entry_balance": per_entry}
        run_id = RunIdentifier(run_name=run_name, run_time=run_time)
        for name, checkpoint in checkpoints.items():
            result = checkpoint.run(batch_parameters={"dataframe": frames[name]}, run_id=run_id)
            for identifier, run in result.run_results.items():
                built.append(identifier)
                for item in run.results:
                    evaluated += 1
                    if not item.success:
                        config = item.expectation_config
                        column = config.kwargs.get("column", "")
                        failed.append(f"{name}: {config.type} {column}".strip())
                        failed_runs.append(run_name)
    remote = []
    if project_root is not None:
        from pipeline.store.data_docs import make_offline

        context.build_data_docs(resource_identifiers=built)
        site = Path(context.root_directory) / "uncommitted" / "data_docs" / "local_site"
        # A second of slack: a file's mtime comes from a coarser clock than time.time().
        remote = make_offline(site, since=started - 1.0)
    return SuiteResult(
        success=not failed,
        evaluated=evaluated,
        failed=failed,
        remote=remote,
        failed_runs=sorted(set(failed_runs)),
    )
