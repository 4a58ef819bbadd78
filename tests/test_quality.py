"""The GX Core suite on the journal catches what a blocking check must catch."""

from decimal import Decimal

import pandas as pd

from pipeline.store.quality import run_journal_suite


def lines(rows):
    return pd.DataFrame(rows, columns=["entry_id", "line_no", "account_code", "debit", "credit"])


def test_balanced_journal_passes_and_builds_data_docs(tmp_path):
    ok = lines(
        [
            ("e1", 1, "1010", Decimal("5.00"), Decimal("0.00")),
            ("e1", 2, "4000", Decimal("0.00"), Decimal("5.00")),
        ]
    )
    result = run_journal_suite(ok, project_root=tmp_path)
    assert result.success and result.evaluated == 7
    assert (tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()


def test_unbalanced_entry_and_bad_account_fail():
    bad = lines(
        [
            ("e1", 1, "1010", Decimal("5.00"), Decimal("0.00")),
            ("e1", 2, "REV", Decimal("0.00"), Decimal("4.99")),
        ]
    )
    result = run_journal_suite(bad)
    assert not result.success
    assert any("imbalance_cents" in f for f in result.failed)
    assert any("account_code" in f for f in result.failed)
