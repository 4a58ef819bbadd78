"""The GX Core suite on the journal catches what a blocking check must catch."""

from decimal import Decimal

import dagster as dg
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


def test_unbalanced_entry_alone_fails_on_imbalance():
    # The GX suite is the table's only balance rule (the Pandera contract leaves it here).
    bad = lines(
        [
            ("e1", 1, "1010", Decimal("5.00"), Decimal("0.00")),
            ("e1", 2, "4000", Decimal("0.00"), Decimal("4.99")),
        ]
    )
    result = run_journal_suite(bad)
    assert not result.success
    assert result.failed == [
        "journal_entry_balance: expect_column_values_to_be_between imbalance_cents"
    ]


def test_blocking_check_fails_an_unbalanced_journal(home):
    from assets.checks import journal_lines_gx
    from pipeline.store.connection import open_duckdb
    from resources.warehouse import WarehouseResource

    path = home / "warehouse.duckdb"
    with open_duckdb(path) as con:  # the migrations' journal tables
        con.execute(
            "INSERT INTO marts.journal_lines VALUES "
            "('e', 1, '1010', 5.00, 0, 'Card', '2026-11-20', 'LCAFE01'), "
            "('e', 2, '4000', 0, 4.99, 'Sales', '2026-11-20', 'LCAFE01')"
        )
    spec = next(iter(journal_lines_gx.check_specs))
    assert spec.blocking
    result = journal_lines_gx(
        dg.build_asset_check_context(), warehouse=WarehouseResource(path=str(path))
    )
    assert not result.passed
    assert "imbalance_cents" in result.metadata["failed"].value
