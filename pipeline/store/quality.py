"""Great Expectations (GX Core 1.x) suite for the journal, called directly.

GX takes seconds to import, so it is imported here, inside the function, and only the check
step pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.kernel.money import to_cents


@dataclass
class SuiteResult:
    success: bool
    evaluated: int
    failed: list[str]


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


def run_journal_suite(lines: pd.DataFrame, project_root: Path | None = None) -> SuiteResult:
    """Validate the journal; with `project_root`, results and Data Docs go to project_root/gx."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = _context(project_root)
    source = context.data_sources.add_or_update_pandas("journal")
    cents, per_entry = journal_frames(lines)
    frames = {"journal_lines": cents, "journal_entry_balance": per_entry}
    failed, evaluated = [], 0
    for name, expectations in journal_expectations(gxe).items():
        suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=name, expectations=expectations)
        )
        validation = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(
                name=f"{name}_validation", data=_batch_definition(source, name), suite=suite
            )
        )
        actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs")] if project_root else []
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(name=name, validation_definitions=[validation], actions=actions)
        )
        result = checkpoint.run(batch_parameters={"dataframe": frames[name]})
        for run in result.run_results.values():
            for item in run.results:
                evaluated += 1
                if not item.success:
                    config = item.expectation_config
                    column = config.kwargs.get("column", "")
                    failed.append(f"{name}: {config.type} {column}".strip())
    return SuiteResult(success=not failed, evaluated=evaluated, failed=failed)
