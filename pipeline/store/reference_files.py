"""Reading the reference CSVs from disk (BACKBONE_REFERENCE_DIR, else reference/), validated."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.accounting.posting import PostingAccounts
from pipeline.reference.rules import ReferenceDataError, cross_check, validate
from pipeline.reference.schemas import SCHEMAS
from pipeline.settings import reference_dir
from pipeline.store.transaction import transaction


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ReferenceDataError(f"{path}: reference file is missing")
    with path.open(newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise ReferenceDataError(f"{path}:1: file is empty (expected a header line)")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        # pandas says "Error tokenizing data. C error: Expected 9 fields in line 5, saw 10".
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            want, line, saw = found.groups()
            raise ReferenceDataError(
                f"{path}:{line}: malformed CSV: {saw} fields, the header has {want}"
            ) from None
        raise ReferenceDataError(f"{path}: malformed CSV: {exc}") from None


def load(name: str, directory: Path | None = None) -> pd.DataFrame:
    path = (directory or reference_dir()) / f"{name}.csv"
    return validate(name, _read(path), path)


def load_all(directory: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, then the cross-table rules; the first problem raises ReferenceDataError."""
    directory = directory or reference_dir()
    tables = {name: load(name, directory) for name in SCHEMAS}
    cross_check(tables, directory, posting_roles=PostingAccounts.roles())
    return tables


def replace_reference_tables(
    con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]
) -> None:
    """Each validated CSV becomes ref.<name>, all in one transaction; empty cells are NULL."""
    with transaction(con):
        for name, frame in tables.items():
            con.register("_ref", frame.replace({"": None}))
            con.execute(f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM _ref")
            con.unregister("_ref")
