"""A bad reference CSV fails with the file, the line and the field."""

import shutil
from pathlib import Path

import pytest

from pipeline.reference import ReferenceDataError, load_all
from pipeline.settings import REPO_ROOT


@pytest.fixture
def refdir(tmp_path: Path) -> Path:
    for path in (REPO_ROOT / "reference").glob("*.csv"):
        shutil.copy(path, tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_shipped_reference_is_valid():
    tables = load_all()
    assert len(tables["products"]) > 20
    assert set(tables["tenders"]["tender_type"]) >= {"cash", "card", "wallet", "gift_card"}


def test_wrong_column(refdir):
    edit(refdir / "tenders.csv", "clearing_account", "clearing_acct")
    with pytest.raises(
        ReferenceDataError,
        match=r"tenders\.csv:1: header: missing columns "
        r"\['clearing_account'\]",
    ):
        load_all(refdir)


def test_bad_account(refdir):
    edit(
        refdir / "products.csv",
        "Blueberry Muffin,Regular,,STANDARD,each,3.95,4000",
        "Blueberry Muffin,Regular,,STANDARD,each,3.95,4999",
    )
    with pytest.raises(
        ReferenceDataError, match=r"products\.csv:9: field 'revenue_account': account '4999'"
    ):
        load_all(refdir)


def test_duplicate_key(refdir):
    path = refdir / "accounts.csv"
    path.write_text(path.read_text() + "1010,Another Clearing,CURRENT,ASSET\n")
    with pytest.raises(
        ReferenceDataError,
        match=r"accounts\.csv:\d+: field 'account_code': "
        r"duplicate key \{'account_code': '1010'\}",
    ):
        load_all(refdir)


def test_bad_value_names_line_and_field(refdir):
    edit(refdir / "taxes.csv", "US-WA-SEA,STANDARD,0.1035", "US-WA-SEA,STANDARD,ten percent")
    with pytest.raises(ReferenceDataError, match=r"taxes\.csv:4: field 'rate'"):
        load_all(refdir)


def test_unknown_time_zone(refdir):
    edit(refdir / "locations.csv", "America/Chicago", "America/Chicgo")
    with pytest.raises(ReferenceDataError, match=r"locations\.csv:5: field 'timezone'"):
        load_all(refdir)
