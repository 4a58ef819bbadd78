"""A bad reference CSV fails with the file, the line and the field."""

import shutil
from pathlib import Path

import pytest

from pipeline.accounting.posting import PostingAccounts
from pipeline.reference.rules import posting_roles_check
from pipeline.settings import REPO_ROOT, reference_dir
from pipeline.store.reference_files import ReferenceDataError, load_all


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
        "Blueberry Muffin,Regular,FOOD-MUFFIN,,STANDARD,each,3.95,0.90,4000",
        "Blueberry Muffin,Regular,FOOD-MUFFIN,,STANDARD,each,3.95,0.90,4999",
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


def test_reference_dir_comes_from_the_environment(refdir, monkeypatch):
    monkeypatch.setenv("BACKBONE_REFERENCE_DIR", str(refdir))
    assert reference_dir() == refdir.resolve()
    edit(refdir / "uom.csv", "bag,One retail bag,count", "bag,One retail bag,heap")
    with pytest.raises(ReferenceDataError, match=rf"{refdir}/uom\.csv:3: field 'kind'"):
        load_all()


def test_shipped_dictionaries_cover_every_kind():
    tables = load_all()
    assert set(tables["tax_categories"]["tax_category"]) == {"STANDARD", "EXEMPT", "NONE"}
    assert {"each", "session"} <= set(tables["uom"]["uom"])
    states = tables["lifecycle_states"]
    assert {("square", "order"), ("hubspot", "deal"), ("xero", "invoice")} <= set(
        zip(states["system"], states["entity"], strict=True)
    )
    assert len(tables["modifiers"]) == 3 and len(tables["bundles"]) == 4


def test_barcode_with_a_wrong_check_digit(refdir):
    edit(refdir / "products.csv", "0850002000054", "0850002000055")
    with pytest.raises(
        ReferenceDataError,
        match=r"products\.csv:18: field 'barcode': '0850002000055' is not a valid GTIN: "
        r"check digit 5 should be 4",
    ):
        load_all(refdir)


def test_barcode_of_the_wrong_length(refdir):
    edit(refdir / "products.csv", "0850002000054", "08500020000")
    with pytest.raises(ReferenceDataError, match=r"products\.csv:18: field 'barcode': .*11 digits"):
        load_all(refdir)


def test_unknown_unit_of_measure(refdir):
    edit(refdir / "products.csv", "STANDARD,each,10.95", "STANDARD,slice,10.95")
    with pytest.raises(
        ReferenceDataError, match=r"products\.csv:10: field 'uom': 'slice' is not in uom\.csv"
    ):
        load_all(refdir)


def test_unknown_tax_category(refdir):
    edit(refdir / "taxes.csv", "US-WA-SEA,EXEMPT", "US-WA-SEA,EXEMPTED")
    with pytest.raises(
        ReferenceDataError,
        match=r"taxes\.csv:5: field 'tax_category': 'EXEMPTED' is not in tax_categories\.csv",
    ):
        load_all(refdir)


def test_overlapping_tax_rates(refdir):
    path = refdir / "taxes.csv"
    edit(
        path,
        "US-IL-CHI,STANDARD,0.1025,2140,2020-01-01,",
        "US-IL-CHI,STANDARD,0.1025,2140,2020-01-01,2026-07-01",
    )
    path.write_text(path.read_text() + "US-IL-CHI,STANDARD,0.1075,2140,2026-06-01,\n")
    with pytest.raises(
        ReferenceDataError,
        match=r"taxes\.csv:10: field 'effective_from': US-IL-CHI STANDARD rate from 2026-06-01 "
        r"overlaps a range ending 2026-07-01",
    ):
        load_all(refdir)


def test_consecutive_tax_rates_are_fine(refdir):
    path = refdir / "taxes.csv"
    edit(
        path,
        "US-IL-CHI,STANDARD,0.1025,2140,2020-01-01,",
        "US-IL-CHI,STANDARD,0.1025,2140,2020-01-01,2026-07-01",
    )
    path.write_text(path.read_text() + "US-IL-CHI,STANDARD,0.1075,2140,2026-07-01,\n")
    assert len(load_all(refdir)["taxes"]) == 9


def test_bundle_shares_must_sum_exactly_to_one(refdir):
    edit(refdir / "bundles.csv", "CAF-CRS,0.60", "CAF-CRS,0.599999")
    with pytest.raises(
        ReferenceDataError,
        match=r"bundles\.csv:3: field 'revenue_share': shares of bundle cafe:CAF-CC sum to "
        r"0\.999999, not exactly 1",
    ):
        load_all(refdir)


def test_bundle_component_must_be_a_product_of_the_same_business(refdir):
    edit(refdir / "bundles.csv", "studio,STU-CLASSMAT,STU-MAT", "studio,STU-CLASSMAT,CAF-CRS")
    with pytest.raises(
        ReferenceDataError,
        match=r"bundles\.csv:5: field 'component_sku': 'CAF-CRS' is not in products\.csv "
        r"for business 'studio'",
    ):
        load_all(refdir)


def test_bundle_row_must_not_carry_its_own_revenue_account(refdir):
    edit(refdir / "products.csv", "STANDARD,each,6.95,,", "STANDARD,each,6.95,,4000")
    with pytest.raises(
        ReferenceDataError,
        match=r"products\.csv:13: field 'revenue_account': bundle CAF-CC takes its "
        r"revenue_account from bundles\.csv",
    ):
        load_all(refdir)


def test_product_needs_a_cost(refdir):
    edit(refdir / "products.csv", "3.95,0.90,4000", "3.95,,4000")
    with pytest.raises(
        ReferenceDataError, match=r"products\.csv:9: field 'cost': product CAF-MUF needs a cost"
    ):
        load_all(refdir)


def test_modifier_account_must_exist(refdir):
    edit(refdir / "modifiers.csv", "Oat milk,0.75,0.22,4000", "Oat milk,0.75,0.22,4001")
    with pytest.raises(
        ReferenceDataError,
        match=r"modifiers\.csv:2: field 'revenue_account': account '4001' is not in accounts",
    ):
        load_all(refdir)


def test_crosswalk_names_an_existing_sku_by_id_or_name_not_both(refdir):
    path = refdir / "pos_crosswalk.csv"
    edit(path, "cafe,VAR-CAF-CC,,CAF-CC", "cafe,VAR-CAF-CC,Morning Combo,CAF-CC")
    with pytest.raises(
        ReferenceDataError,
        match=r"pos_crosswalk\.csv:2: field 'pos_catalog_id': give exactly one of",
    ):
        load_all(refdir)
    edit(path, "cafe,VAR-CAF-CC,Morning Combo,CAF-CC", "cafe,VAR-CAF-CC,,CAF-COMBO")
    with pytest.raises(
        ReferenceDataError,
        match=r"pos_crosswalk\.csv:2: field 'sku': 'CAF-COMBO' is not in products\.csv",
    ):
        load_all(refdir)


def test_lifecycle_state_must_be_a_shared_state(refdir):
    edit(
        refdir / "lifecycle_states.csv", "hubspot,deal,closedwon,won", "hubspot,deal,closedwon,done"
    )
    with pytest.raises(
        ReferenceDataError,
        match=r"lifecycle_states\.csv:28: field 'state': 'done' is not a shared deal state",
    ):
        load_all(refdir)


def test_duplicate_vendor_state(refdir):
    path = refdir / "lifecycle_states.csv"
    path.write_text(path.read_text() + "square,order,OPEN,draft\n")
    with pytest.raises(
        ReferenceDataError, match=r"lifecycle_states\.csv:38: field 'system': duplicate key"
    ):
        load_all(refdir)


def test_malformed_csv_names_the_file(refdir):
    path = refdir / "uom.csv"
    path.write_text(path.read_text() + "box,One box,count,extra\n")
    with pytest.raises(
        ReferenceDataError, match=r"uom\.csv:6: malformed CSV: 4 fields, the header has 3"
    ):
        load_all(refdir)


def test_identity_overrides_are_checked_like_every_reference_file(refdir):
    path = refdir / "identity_overrides.csv"
    header = path.read_text().splitlines()[0]
    path.write_text(
        header + "\n"
        "split,cafe,square,SQ1,hubspot,101,twins sharing one inbox\n"
        "merge,cafe,square,SQ2,hubspot,102,same person\n"
    )
    with pytest.raises(
        ReferenceDataError, match=r"identity_overrides\.csv:3: field 'action': value 'merge'"
    ):
        load_all(refdir)
    path.write_text(
        header + "\n"
        "split,cafe,square,SQ1,hubspot,101,twins sharing one inbox\n"
        "link,cafe,square,SQ1,hubspot,101,changed our mind\n"
    )
    with pytest.raises(ReferenceDataError, match=r"identity_overrides\.csv:3: .*duplicate key"):
        load_all(refdir)


def test_reconciliation_settings_name_the_bad_field(refdir):
    path = refdir / "reconciliation_settings.csv"
    path.write_text(path.read_text() + "cafe,0.5,3\nboutique,1.00,45\n")
    with pytest.raises(ReferenceDataError) as info:
        load_all(refdir)
    message = str(info.value)
    assert "reconciliation_settings.csv:3: field 'amount_tolerance'" in message
    assert "reconciliation_settings.csv:4: field 'date_window_days'" in message


@pytest.mark.parametrize("role", PostingAccounts.roles())
def test_every_posting_role_is_required_and_the_missing_one_named(refdir, role):
    path = refdir / "posting_accounts.csv"
    kept = [line for line in path.read_text().splitlines() if not line.startswith(f"{role},")]
    path.write_text("\n".join(kept) + "\n")
    with pytest.raises(
        ReferenceDataError,
        match=rf"posting_accounts\.csv: field 'role': posting role '{role}' is missing",
    ):
        load_all(refdir)


def test_a_role_the_posting_rules_gain_is_required_at_once():
    # What a new PostingAccounts field (say gift_card_breakage) does to the shipped file.
    tables = load_all()
    roles = (*PostingAccounts.roles(), "gift_card_breakage")
    with pytest.raises(ReferenceDataError, match="posting role 'gift_card_breakage' is missing"):
        posting_roles_check(tables["posting_accounts"], Path("posting_accounts.csv"), roles)


def test_a_role_the_posting_rules_do_not_know_is_named(refdir):
    edit(refdir / "posting_accounts.csv", "tips_payable,2200,", "tips,2200,")
    with pytest.raises(
        ReferenceDataError,
        match=r"posting_accounts\.csv:4: field 'role': 'tips' is not a posting role",
    ):
        load_all(refdir)


def test_a_pos_priced_gift_card_needs_no_price_nor_cost(refdir):
    edit(refdir / "products.csv", "NONE,each,25.00,0.00,2300", "NONE,each,,,2300")
    products = load_all(refdir)["products"]
    assert products.set_index("sku").loc["CAF-GC25", ["price", "cost"]].tolist() == ["", ""]
    # A product with a list price still needs its cost.
    edit(refdir / "products.csv", "3.95,0.90,4000", "3.95,,4000")
    with pytest.raises(ReferenceDataError, match="product CAF-MUF needs a cost"):
        load_all(refdir)


@pytest.mark.parametrize("ceiling", ["0.00", "10000", "ten"])
def test_posting_limits_name_the_bad_ceiling(refdir, ceiling):
    path = refdir / "posting_limits.csv"
    path.write_text(path.read_text() + f"studio,{ceiling}\n")
    with pytest.raises(ReferenceDataError, match=r"posting_limits\.csv:3: field 'amount_ceiling'"):
        load_all(refdir)
