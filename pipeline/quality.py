"""Great Expectations (GX Core 1.x) suite for the journal, called directly.

GX takes seconds to import, so it is imported here, inside the function, and only the check
step pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass
class SuiteResult:
    success: bool
    evaluated: int
    failed: list[str]


def journal_frames(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines in integer cents, and one row per entry with its imbalance."""
    cents = lines.assign(
        debit_cents=lines["debit"].map(lambda v: int(v * 100)),
        credit_cents=lines["credit"].map(lambda v: int(v * 100)),
    )[["entry_id", "line_no", "account_code", "debit_cents", "credit_cents"]]
    per_entry = cents.groupby("entry_id", as_index=False)[["debit_cents", "credit_cents"]].sum()
    per_entry["imbalance_cents"] = per_entry["debit_cents"] - per_entry["credit_cents"]
    return cents, per_entry


def run_journal_suite(lines: pd.DataFrame, docs_dir: Path | None = None) -> SuiteResult:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("journal")
    cents, per_entry = journal_frames(lines)
    suites = {
        "journal_lines": (
            cents,
            [
                gxe.ExpectColumnValuesToNotBeNull(column="entry_id"),
                gxe.ExpectColumnValuesToNotBeNull(column="account_code"),
                gxe.ExpectColumnValuesToMatchRegex(column="account_code", regex=r"^\d{3,4}$"),
                gxe.ExpectColumnValuesToBeBetween(column="debit_cents", min_value=0),
                gxe.ExpectColumnValuesToBeBetween(column="credit_cents", min_value=0),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["entry_id", "line_no"]),
            ],
        ),
        "journal_entry_balance": (
            per_entry,
            [
                gxe.ExpectColumnValuesToBeBetween(
                    column="imbalance_cents", min_value=0, max_value=0
                ),
            ],
        ),
    }
    failed, evaluated = [], 0
    for name, (frame, expectations) in suites.items():
        asset = source.add_dataframe_asset(name)
        batch = asset.add_batch_definition_whole_dataframe(f"{name}_all")
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for expectation in expectations:
            suite.add_expectation(expectation)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{name}_validation", data=batch, suite=suite)
        )
        result = validation.run(batch_parameters={"dataframe": frame})
        for item in result.results:
            evaluated += 1
            if not item.success:
                failed.append(
                    f"{name}: {item.expectation_config.type} "
                    f"{item.expectation_config.kwargs.get('column', '')}".strip()
                )
    if docs_dir is not None:
        _write_docs(docs_dir, failed, evaluated)
    return SuiteResult(success=not failed, evaluated=evaluated, failed=failed)


def _write_docs(docs_dir: Path, failed: list[str], evaluated: int) -> None:
    docs_dir.mkdir(parents=True, exist_ok=True)
    status = "passed" if not failed else "FAILED"
    items = "".join(f"<li>{f}</li>" for f in failed) or "<li>none</li>"
    (docs_dir / "journal_lines.html").write_text(
        f"<html><body><h1>marts.journal_lines: {status}</h1>"
        f"<p>{evaluated} expectations evaluated.</p><h2>Failed</h2><ul>{items}</ul>"
        "</body></html>"
    )
