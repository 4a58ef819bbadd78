"""Tenders: reference/tenders.csv rules and the canonical tender fact built from Square records.

The payloads below follow the sandbox's (and Square's) shapes: split tenders, a tip, a Cash App
wallet, a Square gift card, a refund of a card payment, and a chargeback held and released
through payout entries.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipeline.settings import REPO_ROOT
from pipeline.store.contracts import validate_table
from pipeline.store.reference_files import ReferenceDataError, load_all
from pipeline.store.schema import migrate
from pipeline.store.sql_models import build, discover

MODELS = {m.table: m for m in discover()}
DAY = date(2026, 11, 17)
TENDER_MODELS = [
    "staging.stg_square__payments",
    "staging.stg_square__refunds",
    "staging.stg_square__disputes",
    "staging.stg_square__payout_entries",
    "core.tenders",
    "core.tender_facts",
]


def money(cents: int) -> dict:
    return {"amount": cents, "currency": "USD"}


def payment(pid, order_id, amount, *, source="CARD", brand=None, wallet=None, tip=0, fee=0):
    body = {
        "id": pid,
        "order_id": order_id,
        "location_id": "LBTQSEA",
        "status": "COMPLETED",
        "source_type": source,
        "created_at": "2026-11-17T19:05:00.000Z",
        "updated_at": "2026-11-17T19:05:02.000Z",
        "amount_money": money(amount),
        "total_money": money(amount + tip),
        "is_offline_payment": False,
    }
    if tip:
        body["tip_money"] = money(tip)
    if fee:
        body["processing_fee"] = [
            {"effective_at": body["created_at"], "type": "INITIAL", "amount_money": money(fee)}
        ]
    if brand:
        body["card_details"] = {"card": {"card_brand": brand}}
    if wallet:
        body["wallet_details"] = {"brand": wallet}
    return body


def dispute(did, payment_id, amount, state, *, location="LBTQSEA", brand="VISA"):
    return {
        "id": did,
        "location_id": location,
        "state": state,
        "reason": "NOT_AS_DESCRIBED",
        "amount_money": money(amount),
        "card_brand": brand,
        "disputed_payment": {"payment_id": payment_id},
        # 02:40 UTC on the 18th is still the 17th in Seattle.
        "created_at": "2026-11-18T02:40:00.000Z",
        "updated_at": "2026-11-25T10:00:00.000Z",
        "version": 3,
    }


def entry(eid, payout_id, kind, gross, fee=0, **details):
    key = {"CHARGE": "type_charge_details", "REFUND": "type_refund_details"}.get(
        kind, "type_dispute_details"
    )
    return {
        "id": eid,
        "payout_id": payout_id,
        "type": kind,
        "effective_at": "2026-11-17T19:05:02.000Z" if kind == "CHARGE" else details.pop("at"),
        "gross_amount_money": money(gross),
        "fee_amount_money": money(fee),
        "net_amount_money": money(gross + fee),
        key: details,
    }


PAYMENTS = [
    # Split tender: part cash, the rest on a Visa with a tip.
    payment("pay_cash", "ord_split", 2000, source="CASH"),
    payment("pay_visa", "ord_split", 4460, brand="VISA", tip=669, fee=168),
    payment("pay_wallet", "ord_w", 3531, source="WALLET", wallet="CASH_APP", fee=112),
    payment("pay_paypay", "ord_pp", 1500, source="WALLET", wallet="PAYPAY", fee=53),
    payment("pay_gift", "ord_g", 4500, brand="SQUARE_GIFT_CARD"),
    payment("pay_jcb", "ord_j", 2500, brand="JCB", fee=80),
    payment("pay_ext", "ord_x", 1200, source="EXTERNAL"),
    payment("pay_amex", "ord_a", 12700, brand="AMERICAN_EXPRESS", fee=359),
]
REFUNDS = [
    {
        "id": "pay_visa_rf1",
        "status": "COMPLETED",
        "location_id": "LBTQSEA",
        "payment_id": "pay_visa",
        "order_id": "ord_split_return",
        "reason": "Wrong size",
        "amount_money": money(2230),
        "created_at": "2026-11-17T21:00:00.000Z",
        "updated_at": "2026-11-17T21:00:03.000Z",
        "destination_type": "CARD",
        "destination_details": {"card_details": {"card": {"card_brand": "VISA"}}},
    },
    # A refund of a sale outside the loaded window: only its destination tells the tender.
    {
        "id": "pay_old_rf1",
        "status": "COMPLETED",
        "location_id": "LBTQSEA",
        "payment_id": "pay_old",
        "order_id": "ord_old_return",
        "reason": "Damaged",
        "amount_money": money(1800),
        "created_at": "2026-11-17T22:00:00.000Z",
        "updated_at": "2026-11-17T22:00:03.000Z",
        "destination_type": "CARD",
        "destination_details": {"card_details": {"card": {"card_brand": "MASTERCARD"}}},
    },
]
DISPUTES = [
    dispute("dsp_won", "pay_amex", 12700, "WON", brand="AMERICAN_EXPRESS"),
    # The disputed payment is older than the loaded window: the dispute's own brand maps it.
    dispute("dsp_lost", "pay_older", 4966, "LOST", brand="MASTERCARD"),
    dispute("dsp_inquiry", "pay_visa", 500, "INQUIRY_EVIDENCE_REQUIRED"),
    dispute("dsp_nowhere", "pay_visa", 500, "EVIDENCE_REQUIRED", location="LGONE"),
]
ENTRIES = [
    entry("poe_1", "po_17", "CHARGE", 5129, -168, payment_id="pay_visa"),
    entry("poe_2", "po_17", "CHARGE", 3531, -112, payment_id="pay_wallet"),
    entry("poe_3", "po_17", "CHARGE", 12700, -359, payment_id="pay_amex"),
    entry(
        "poe_4",
        "po_17",
        "REFUND",
        -2230,
        payment_id="pay_visa",
        refund_id="pay_visa_rf1",
        at="2026-11-17T21:00:00.000Z",
    ),
    entry(
        "poe_5",
        "po_17",
        "DISPUTE",
        -12700,
        payment_id="pay_amex",
        dispute_id="dsp_won",
        at="2026-11-18T02:40:00.000Z",
    ),
    entry(
        "poe_9",
        "po_25",
        "DISPUTE",
        12700,
        payment_id="pay_amex",
        dispute_id="dsp_won",
        at="2026-11-25T10:00:00.000Z",
    ),
]


def _land(con, table: str, rows: list[dict], partitioned: bool = True) -> None:
    for row in rows:
        con.execute(
            f"INSERT INTO raw.{table} VALUES (?, 'boutique', ?, ?, ?, NULL, ?, now(), 't')",
            [
                row["id"],
                row.get("location_id"),
                DAY if partitioned else None,
                DAY.isoformat() if partitioned else None,
                json.dumps(row),
            ],
        )


def _load_reference(con, directory: Path | None = None) -> None:
    tables = load_all(directory)
    for name in ("locations", "tenders", "lifecycle_states"):
        con.register("_ref", tables[name].replace({"": None}))
        con.execute(f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM _ref")
        con.unregister("_ref")


@pytest.fixture
def con():
    con = duckdb.connect()
    migrate(con)
    _load_reference(con)
    _land(con, "square_payments", PAYMENTS)
    _land(con, "square_refunds", REFUNDS)
    _land(con, "square_disputes", DISPUTES, partitioned=False)
    _land(con, "square_payout_entries", ENTRIES)
    for table in TENDER_MODELS:
        build(con, MODELS[table], run_id="t", validate=validate_table)
    return con


def facts(con) -> dict[str, dict]:
    cursor = con.execute("SELECT * FROM core.tender_facts")
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_split_tender_maps_each_payment_on_its_own(con):
    f = facts(con)
    cash, visa = f["pay_cash"], f["pay_visa"]
    assert (cash["order_id"], visa["order_id"]) == ("ord_split", "ord_split")
    assert (cash["canonical_tender"], cash["tender_type"], cash["clearing_account"]) == (
        "cash",
        "cash",
        "1000",
    )
    assert cash["fee_account"] is None and cash["payout_id"] is None
    assert not cash["settles_in_payout"]
    assert (visa["canonical_tender"], visa["clearing_account"], visa["fee_account"]) == (
        "card_visa",
        "1010",
        "6100",
    )
    assert (visa["amount_money"], visa["tip_money"], visa["fee_money"]) == (
        Decimal("44.60"),
        Decimal("6.69"),
        Decimal("1.68"),
    )
    assert (visa["payout_id"], visa["payout_entry_id"]) == ("po_17", "poe_1")


def test_wallet_brand_row_beats_the_wallet_catch_all(con):
    f = facts(con)
    assert (f["pay_wallet"]["wallet_brand"], f["pay_wallet"]["canonical_tender"]) == (
        "CASH_APP",
        "wallet_cash_app",
    )
    assert (f["pay_paypay"]["wallet_brand"], f["pay_paypay"]["canonical_tender"]) == (
        "PAYPAY",
        "wallet_other",
    )
    assert f["pay_wallet"]["payout_id"] == "po_17"
    assert {f["pay_wallet"]["tender_type"], f["pay_paypay"]["tender_type"]} == {"wallet"}


def test_square_gift_card_is_a_gift_card_not_a_card(con):
    gift = facts(con)["pay_gift"]
    assert (gift["source_type"], gift["card_brand"]) == ("CARD", "SQUARE_GIFT_CARD")
    assert (gift["canonical_tender"], gift["tender_type"], gift["clearing_account"]) == (
        "square_gift_card",
        "gift_card",
        "2300",
    )
    assert gift["is_gift_card"] and gift["fee_account"] is None
    assert not any(f["is_gift_card"] for k, f in facts(con).items() if k != "pay_gift")


def test_refund_points_at_its_payment_and_settles_in_a_payout(con):
    f = facts(con)
    refund = f["pay_visa_rf1"]
    assert (refund["fact_kind"], refund["payment_id"], refund["refund_id"]) == (
        "refund",
        "pay_visa",
        "pay_visa_rf1",
    )
    assert (refund["order_id"], refund["refund_reason"]) == ("ord_split_return", "Wrong size")
    assert (refund["amount_money"], refund["tip_money"]) == (Decimal("-22.30"), Decimal("0.00"))
    assert (refund["canonical_tender"], refund["clearing_account"]) == ("card_visa", "1010")
    assert (refund["payout_id"], refund["payout_entry_id"]) == ("po_17", "poe_4")
    old = f["pay_old_rf1"]
    assert (old["card_brand"], old["canonical_tender"], old["clearing_account"]) == (
        "MASTERCARD",
        "card_mastercard",
        "1010",
    )


def test_dispute_is_a_chargeback_fact_with_hold_and_release_payouts(con):
    f = facts(con)
    won = f["dsp_won"]
    assert (won["fact_kind"], won["dispute_id"], won["payment_id"], won["order_id"]) == (
        "dispute",
        "dsp_won",
        "pay_amex",
        "ord_a",
    )
    assert won["is_chargeback"] and (won["dispute_state"], won["dispute_reason"]) == (
        "WON",
        "NOT_AS_DESCRIBED",
    )
    assert won["amount_money"] == Decimal("-127.00") and won["fee_money"] == Decimal("0.00")
    assert won["business_date"] == DAY  # opened the evening of the 17th, Seattle time
    assert (won["canonical_tender"], won["clearing_account"]) == ("card_amex", "1010")
    assert (won["payout_id"], won["payout_entry_id"], won["release_payout_id"]) == (
        "po_17",
        "poe_5",
        "po_25",
    )
    lost = f["dsp_lost"]
    assert (lost["order_id"], lost["card_brand"], lost["canonical_tender"]) == (
        None,
        "MASTERCARD",
        "card_mastercard",
    )
    assert lost["payout_id"] is None and lost["release_payout_id"] is None
    # An inquiry asks questions; only a chargeback takes money back.
    assert not f["dsp_inquiry"]["is_chargeback"]
    # The disputed payment's own fact is one row, settled by its CHARGE entry only.
    assert (f["pay_amex"]["payout_id"], f["pay_amex"]["is_chargeback"]) == ("po_17", False)
    assert con.execute(
        "SELECT count(*) FROM core.tender_facts WHERE fact_id = 'pay_amex'"
    ).fetchone() == (1,)


def test_unmapped_tender_keeps_no_account_but_names_itself(con):
    f = facts(con)
    jcb, ext = f["pay_jcb"], f["pay_ext"]
    for fact in (jcb, ext):
        assert fact["clearing_account"] is None and fact["fee_account"] is None
        assert fact["canonical_tender"] is None and fact["tender_type"] is None
    assert (jcb["source_type"], jcb["card_brand"], jcb["fee_money"]) == (
        "CARD",
        "JCB",
        Decimal("0.80"),
    )
    assert (ext["source_type"], ext["card_brand"], ext["wallet_brand"]) == (
        "EXTERNAL",
        None,
        None,
    )


def test_one_fact_per_record_and_bad_disputes_dead_lettered(con):
    kinds = dict(
        con.execute("SELECT fact_kind, count(*) FROM core.tender_facts GROUP BY ALL").fetchall()
    )
    assert kinds == {"payment": len(PAYMENTS), "refund": len(REFUNDS), "dispute": 3}
    dead = con.execute(
        "SELECT record_id, reason FROM ops.dead_letter WHERE entity = 'disputes'"
    ).fetchall()
    assert dead == [("dsp_nowhere", "location_id LGONE is not in reference/locations.csv")]


# -- reference/tenders.csv -------------------------------------------------------------------


@pytest.fixture
def refdir(tmp_path: Path) -> Path:
    for path in (REPO_ROOT / "reference").glob("*.csv"):
        shutil.copy(path, tmp_path)
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + line + "\n")


def test_a_new_card_brand_row_maps_it(refdir, con):
    _append(refdir / "tenders.csv", "CARD,JCB,,card_jcb,card,1010,6100,true")
    _load_reference(con, refdir)
    for table in ("core.tenders", "core.tender_facts"):
        build(con, MODELS[table], run_id="t", validate=validate_table)
    jcb = facts(con)["pay_jcb"]
    assert (jcb["canonical_tender"], jcb["clearing_account"], jcb["fee_account"]) == (
        "card_jcb",
        "1010",
        "6100",
    )


def test_canonical_tender_must_map_to_one_set_of_accounts(refdir):
    _append(refdir / "tenders.csv", "CARD,JCB,,card_visa,card,1000,6100,true")
    with pytest.raises(
        ReferenceDataError,
        match=r"tenders\.csv:10: field 'clearing_account': '1000' contradicts line 3",
    ):
        load_all(refdir)


def test_duplicate_tender_key_names_the_line(refdir):
    _append(refdir / "tenders.csv", "WALLET,,CASH_APP,wallet_cash_app,wallet,1010,6100,true")
    with pytest.raises(
        ReferenceDataError, match=r"tenders\.csv:10: field 'source_type': duplicate key"
    ):
        load_all(refdir)


def test_lower_case_brand_is_refused(refdir):
    _append(refdir / "tenders.csv", "WALLET,,paypay,wallet_paypay,wallet,1010,6100,true")
    with pytest.raises(ReferenceDataError, match=r"tenders\.csv:10: field 'wallet_brand'"):
        load_all(refdir)


# -- extraction ----------------------------------------------------------------------------------


def test_disputes_extract_over_the_in_process_sandbox(monkeypatch):
    import httpx

    from pipeline.extraction.landing import land_snapshot
    from pipeline.settings import IN_PROCESS_HOST
    from pipeline.store.raw import write_landing
    from resources import connector
    from resources.square import FIELDS, SquareResource
    from sandbox import Faults, Sandbox
    from tests.conftest import SANDBOX_NOW

    sb = Sandbox(now=SANDBOX_NOW, seed=7, faults=Faults.parse("malformed"))
    monkeypatch.setattr(connector, "in_process_transport", sb.transport)
    square = SquareResource(
        base_url=f"http://{IN_PROCESS_HOST}/{{business}}/square", access_token="t"
    )
    with square.client("boutique") as client:
        landing = land_snapshot(
            lambda b: square.list_disputes(client),
            ["boutique"],
            source="square",
            entity="disputes",
            updated_field="updated_at",
            run_id="t",
        )
    clean = Sandbox(now=SANDBOX_NOW, seed=7)
    with httpx.Client(transport=clean.transport(), base_url="http://sandbox") as plain:
        vendor = plain.get(
            "/boutique/square/v2/disputes", headers={"Authorization": "Bearer t"}
        ).json()["disputes"]
    assert len(vendor) >= 5
    # Every dispute of both locations, plus the one malformed record the fault adds.
    assert len(landing.rows) == len(vendor) + 1 and not landing.dead
    payloads = [json.loads(row.payload) for row in landing.rows]
    assert {"LBTQSEA", "LBTQPDX"} == {p["location_id"] for p in payloads}
    allowed = set(FIELDS["disputes"])
    assert all(set(p) <= allowed for p in payloads)
    assert not any("brand_dispute_id" in p for p in payloads)

    con = duckdb.connect()
    migrate(con)
    _load_reference(con)
    write_landing(
        con, "square_disputes", landing, business_ids=["boutique"], partition_key=None, run_id="t"
    )
    build(con, MODELS["staging.stg_square__disputes"], run_id="t", validate=validate_table)
    staged = con.execute(
        "SELECT dispute_id, amount_money, state, business_date FROM staging.stg_square__disputes"
    ).fetchall()
    assert sorted(d for d, *_ in staged) == sorted(v["id"] for v in vendor)
    by_id = {v["id"]: v for v in vendor}
    for dispute_id, amount, state, business_date in staged:
        assert amount * 100 == by_id[dispute_id]["amount_money"]["amount"]
        assert state == by_id[dispute_id]["state"]
        assert business_date <= SANDBOX_NOW.date()
    dead = con.execute("SELECT reason FROM ops.dead_letter WHERE entity = 'disputes'").fetchall()
    assert dead == [("field amount_money.amount is not integer minor units",)]


def test_tender_fact_contract_refuses_wrong_signs_and_stray_chargebacks(con):
    validate_table(con, "core.tender_facts")
    con.execute("UPDATE core.tender_facts SET amount_money = 22.30 WHERE fact_id = 'pay_visa_rf1'")
    with pytest.raises(ValueError, match="refunds and disputes negative"):
        validate_table(con, "core.tender_facts")
    con.execute("UPDATE core.tender_facts SET amount_money = -22.30 WHERE fact_id = 'pay_visa_rf1'")
    con.execute("UPDATE core.tender_facts SET is_chargeback = TRUE WHERE fact_id = 'pay_cash'")
    with pytest.raises(ValueError, match="only a dispute is a chargeback"):
        validate_table(con, "core.tender_facts")
    con.execute("DELETE FROM core.tender_facts")
    validate_table(con, "core.tender_facts")


def test_only_payments_completed_in_the_shared_lifecycle_are_facts(con):
    failed = dict(payment("pay_failed", "ord_x", 900, brand="VISA"), status="FAILED")
    approved = dict(payment("pay_approved", "ord_y", 700, brand="VISA"), status="APPROVED")
    _land(con, "square_payments", [failed, approved])
    for table in TENDER_MODELS:
        build(con, MODELS[table], run_id="t2", validate=validate_table)
    ids = {fid for (fid,) in con.execute("SELECT fact_id FROM core.tender_facts").fetchall()}
    assert "pay_failed" not in ids and "pay_approved" not in ids
    assert "pay_visa" in ids
