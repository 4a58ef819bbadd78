"""`backbone demo` on a broken reference dir: one clear line naming file, line and field, exit 1.

Runs the installed console script in a subprocess, as `make demo` does, against broken copies
of reference/ chosen with BACKBONE_REFERENCE_DIR.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import REPO_ROOT

BACKBONE = Path(sys.executable).with_name("backbone")


def _break(refdir: Path, name: str, old: str, new: str | None = None, append: str = "") -> None:
    path = refdir / name
    text = path.read_text()
    if new is not None:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text + append)


CASES = {
    "wrong_column": (
        ("products.csv", "revenue_account", "revenue_acct"),
        r"products.csv:1: header: missing columns ['revenue_account'], unexpected columns "
        r"['revenue_acct']",
    ),
    "bad_account": (
        ("modifiers.csv", "Extra shot,1.00,0.30,4000", "Extra shot,1.00,0.30,4800"),
        "modifiers.csv:3: field 'revenue_account': account '4800' is not in accounts.csv",
    ),
    "duplicate_key": (
        (
            "products.csv",
            "",
            None,
            "cafe,CAF-ESP,Espresso,Double,BEV-ESP-2,,STANDARD,each,4.50,0.80,4000\n",
        ),
        "products.csv:30: field 'business_id': duplicate key "
        "{'business_id': 'cafe', 'sku': 'CAF-ESP'}",
    ),
    "missing_posting_role": (
        ("posting_accounts.csv", "rounding,6900,5\n", ""),
        "posting_accounts.csv: field 'role': posting role 'rounding' is missing",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_demo_fails_early_naming_file_line_and_field(case, tmp_path):
    refdir = tmp_path / "reference"
    shutil.copytree(REPO_ROOT / "reference", refdir)
    edit, expected = CASES[case]
    _break(refdir, *edit)
    env = {
        **os.environ,
        "BACKBONE_REFERENCE_DIR": str(refdir),
        "BACKBONE_SANDBOX_NOW": "2026-11-20T12:00:00Z",
        "COLUMNS": "80",  # a narrow terminal must not wrap the message
    }
    home = tmp_path / "home"
    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(BACKBONE), "demo", "--days", "1", "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    first = output.splitlines()[0]
    assert first.startswith(f"✗ bad reference data: {refdir}/{expected}"), output
    assert "Traceback" not in output
    assert len(output.splitlines()) <= 3, output
    # Nothing ran: no warehouse was written.
    assert not (home / "warehouse.duckdb").exists()
