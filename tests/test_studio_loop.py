"""The studio's deal-to-cash loop end to end over the in-process simulator: won deals drafted in
Xero exactly once (re-runs, a crash), hand-raised invoices adopted, the scope change and its
refusal, and a paid deposit reaching the HubSpot deal and releasing delivery. Writes are counted
from what the simulator received (`Sandbox.writes`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import duckdb
import pytest

from pipeline.accounting.xero_journal import dumps
from pipeline.crm.deal_status import XeroInvoiceState, changed, loop_state
from pipeline.crm.invoicing import (
    InvoiceRule,
    ScopeChangeRefused,
    WonDeal,
    deposit_cents,
    invoices_for,
    rescope,
    xero_invoice,
)
from pipeline.store.deal_invoicing import current_drafts, draft_won_deals
from pipeline.store.deal_status_sync import ensure_properties, push_properties, refresh_status
from pipeline.store.reference_files import load_all, replace_reference_tables
from pipeline.store.schema import migrate
from pipeline.store.scope_change import ScopeChange, apply_scope_change
from pipeline.store.sql_models import build, discover
from resources.hubspot import HubSpotResource
from resources.xero import XeroResource
from sandbox import Faults, Sandbox

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)  # 15 days after the studio's cutover
AT = NOW
STAGING = ("stg_hubspot__deals", "stg_xero__invoices", "stg_xero__contacts")
RULE = InvoiceRule(
    "studio", "workshop", "Workshop$", "4020", "NONE", 50, "2400", 7, 30, date(2026, 11, 21)
)


# -- the pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "percent", "deposit"),
    [(100001, 50, 50001), (100003, 25, 25001), (100002, 25, 25001), (1, 50, 1), (99999, 0, 0)],
)
def test_deposit_is_half_up_to_the_cent_and_the_balance_takes_the_rest(total, percent, deposit):
    assert deposit_cents(total, percent) == deposit
    deal = WonDeal("1", "studio", "Acme - Workshop", total, date(2026, 12, 1))
    invoices = invoices_for(deal, replace(RULE, deposit_percent=percent), deal.won_on)
    assert invoices.deposit_cents == deposit
    assert invoices.balance.total_cents + invoices.deposit_cents == total
    assert (invoices.deposit is None) == (deposit == 0)


def test_a_rescope_keeps_a_paid_deposit_and_refuses_going_below_it():
    deal = WonDeal("1", "studio", "Acme - Workshop", 300000, date(2026, 12, 1))
    first = invoices_for(deal, RULE, deal.won_on)
    unpaid = rescope(first, 250001, deposit_paid_cents=0)
    assert (unpaid.deposit_cents, unpaid.balance.total_cents) == (125001, 125000)
    paid = rescope(first, 250000, deposit_paid_cents=150000)
    assert (paid.deposit_cents, paid.balance.total_cents) == (150000, 100000)
    with pytest.raises(ScopeChangeRefused, match="below the deposit already paid"):
        rescope(first, 100000, deposit_paid_cents=150000)


def test_delivery_is_released_only_by_a_paid_deposit():
    draft = XeroInvoiceState("DRAFT", 150000, 0)
    approved = XeroInvoiceState("AUTHORISED", 150000, 0)
    part = XeroInvoiceState("AUTHORISED", 50000, 100000)
    paid = XeroInvoiceState("PAID", 0, 150000)
    assert loop_state(draft, draft, 150000).delivery_status == "paused"
    assert loop_state(draft, approved, 150000).status == "approved"
    assert loop_state(draft, part, 150000).delivery_status == "paused"
    done = loop_state(draft, paid, 150000)
    assert (done.status, done.amount_due_cents, done.delivery_status) == (
        "deposit_paid",
        150000,
        "released",
    )
    assert changed(done.properties(), loop_state(draft, draft, 150000).properties()) == {
        "backbone_invoice_status": "deposit_paid",
        "backbone_amount_due": "1500.00",
        "backbone_delivery_status": "released",
    }


def test_invoice_documents_match_xero_schema(xero_schema):
    deal = WonDeal("19000010440", "studio", "Acme - Team Yoga Series", 440000, date(2026, 12, 1))
    invoices = invoices_for(deal, RULE, deal.won_on)
    for draft in (invoices.balance, invoices.deposit):
        # As any JSON client reads the wire text ('double' numbers); exactness is the rule's.
        wire = dumps({"Invoices": [xero_invoice(draft, "c0ffee00-0000-0000-0000-000000000001")]})
        xero_schema("Invoices", json.loads(wire))
        assert "2200.00," in wire  # the deposit, exact to the cent on the wire (never a float)


# -- end to end over the simulator ---------------------------------------------------------------


@pytest.fixture
def world(tmp_path, monkeypatch) -> Iterator[tuple[duckdb.DuckDBPyConnection, Sandbox]]:
    sandbox = Sandbox(now=NOW, faults=Faults())
    monkeypatch.setattr("resources.connector.in_process_transport", sandbox.transport)
    monkeypatch.delenv("XERO_TENANT_ID", raising=False)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    migrate(con)
    replace_reference_tables(con, load_all())
    _identity(con, sandbox)
    _extract(con, sandbox)
    yield con, sandbox
    con.close()


def _xero() -> XeroResource:
    return XeroResource(
        base_url="http://sandbox.invalid/{business}/xero/api.xro/2.0", access_token="t"
    )


def _hubspot() -> HubSpotResource:
    return HubSpotResource(base_url="http://sandbox.invalid/{business}/hubspot", access_token="t")


def _identity(con, sandbox: Sandbox) -> None:
    """core.identity_map from the simulator's ground truth (the resolver is tested elsewhere)."""
    con.execute(
        "CREATE TABLE core.identity_map (business_id VARCHAR, source VARCHAR, source_id VARCHAR, "
        "customer_id VARCHAR, match_rule VARCHAR, match_score DOUBLE)"
    )
    rows = [
        ("studio", s, i, f"C-{p}", "truth", 1.0) for (s, i), p in sandbox.truth("studio").items()
    ]
    con.executemany("INSERT INTO core.identity_map VALUES (?, ?, ?, ?, ?, ?)", rows)


def _extract(con, sandbox: Sandbox) -> None:
    """What the snapshot extracts and staging models do, for the studio."""
    xero, hubspot = _xero(), _hubspot()
    with xero.client("studio") as xc, hubspot.client("studio") as hc:
        fetched = {
            "hubspot_deals": ("id", list(hubspot.list_deals(hc))),
            "xero_invoices": ("InvoiceID", list(xero.list(xc, "Invoices"))),
            "xero_contacts": ("ContactID", list(xero.list(xc, "Contacts"))),
        }
    for table, (id_field, records) in fetched.items():
        con.execute(f"DELETE FROM raw.{table}")
        con.executemany(
            f"INSERT INTO raw.{table} VALUES (?, 'studio', NULL, NULL, NULL, NULL, ?, ?, 'test')",
            [(r[id_field], json.dumps(r, default=str), AT) for r in records],
        )
    models = {m.name: m for m in discover()}
    for name in STAGING:
        build(con, models[name], at=AT)


def _draft(con, sandbox: Sandbox, put=None):
    xero = _xero()

    def send(business: str, key: str, body: str) -> str:
        with xero.client(business) as client:
            return xero.put_invoice(client, key, body)

    return draft_won_deals(con, ["studio"], put or send, run_id="test", at=AT)


def _created_invoices(sandbox: Sandbox) -> list[dict]:
    return [
        w
        for w in sandbox.writes
        if (w["method"], w["path"], w["status"], w["replayed"]) == ("PUT", "/Invoices", 200, False)
    ]


def _won_after_cutover(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT d.deal_id FROM staging.stg_hubspot__deals d WHERE d.deal_stage = 'closedwon' "
            "AND CAST(timezone('America/Chicago', d.close_date) AS DATE) >= DATE '2026-11-21' "
            "ORDER BY 1"
        ).fetchall()
    ]


def test_a_won_deal_gets_one_draft_and_one_deposit_through_a_crash_and_reruns(world):
    con, sandbox = world
    won = _won_after_cutover(con)
    assert len(won) >= 3  # the demo window holds several
    xero = _xero()

    class Crash(BaseException):
        """The process dying after Xero answered and before the log row."""

    def put_then_die(business: str, key: str, body: str) -> str:
        with xero.client(business) as client:
            xero.put_invoice(client, key, body)
        raise Crash

    with pytest.raises(Crash):
        _draft(con, sandbox, put=put_then_die)
    assert con.execute("SELECT count(*) FROM ops.sync_log").fetchone()[0] == 0
    for _ in range(3):
        _draft(con, sandbox)
    created = _created_invoices(sandbox)
    assert len(created) == 2 * len(won)  # the crashed PUT was replayed, not created again
    replayed = [w for w in sandbox.writes if w["path"] == "/Invoices" and w["replayed"]]
    assert len(replayed) == 1 and replayed[0]["idempotency_key"] == created[0]["idempotency_key"]
    assert len({w["idempotency_key"] for w in created}) == len(created)
    drafts = current_drafts(con)
    ours = {d: row for d, row in drafts.items() if row["origin"] == "backbone"}
    assert sorted(ours) == won
    assert {row["version"] for row in ours.values()} == {1}
    organisation = sandbox.xero_state("studio").invoices
    for deal_id, row in ours.items():
        balance = organisation[row["xero_invoice_id"]].body
        deposit = organisation[row["deposit_invoice_id"]].body
        assert (balance["Status"], deposit["Status"]) == ("DRAFT", "DRAFT")
        assert balance["Reference"].endswith(f"(deal {deal_id})")
        assert balance["Total"].cents + deposit["Total"].cents == int(row["total"] * 100)
        assert deposit["Total"].cents == int(row["deposit_due"] * 100)
        assert row["customer_id"].startswith("C-studio:")
        assert (row["status"], row["delivery_status"]) == ("draft", "paused")
    adopted = [row for row in drafts.values() if row["origin"] == "adopted"]
    assert adopted, "deals won before the cutover adopt the bookkeeper's invoice"
    assert not {r["xero_invoice_id"] for r in adopted} & set(organisation)  # nothing re-sent


def _first_drafted(con) -> tuple[str, dict]:
    drafts = sorted(current_drafts(con).items())
    return next((d, r) for d, r in drafts if r["origin"] == "backbone")


def _bookkeeper(sandbox: Sandbox):
    import httpx

    from sandbox.world import BUSINESSES

    return httpx.Client(
        transport=sandbox.transport(),
        base_url="http://sandbox.invalid/studio/xero/api.xro/2.0",
        headers={
            "Authorization": "Bearer t",
            "xero-tenant-id": BUSINESSES["studio"].xero_tenant_id,
        },
    )


def _sync_status(con, sandbox: Sandbox, die_after_patch: bool = False):
    hubspot = _hubspot()
    refresh_status(con, ["studio"], run_id="test", at=AT)

    class Crash(BaseException):
        pass

    def update(hc, key, deal, props):
        answer = hubspot.update_deal(hc, key, deal, props)
        if die_after_patch:
            raise Crash
        return answer

    with hubspot.client("studio") as hc:
        ensure_properties(
            con,
            ["studio"],
            lambda b, name: hubspot.has_property(hc, "deals", name),
            lambda b, key, body: hubspot.create_property(hc, "deals", key, body),
            run_id="test",
            at=AT,
        )
        return push_properties(
            con,
            ["studio"],
            lambda b, key, deal, props: update(hc, key, deal, props),
            read=lambda b, deal, names: hubspot.deal_properties(hc, deal, names),
            run_id="test",
            at=AT,
        )


def _deal_properties(sandbox: Sandbox, deal_id: str) -> dict:
    hubspot = _hubspot()
    names = "amount,backbone_invoice_status,backbone_amount_due,backbone_delivery_status"
    with hubspot.client("studio") as hc:
        return hc.json("GET", f"/crm/v3/objects/deals/{deal_id}", params={"properties": names})[
            "properties"
        ]


def _hubspot_writes(sandbox: Sandbox) -> int:
    return sum(w["vendor"] == "hubspot" for w in sandbox.writes)


def test_a_crash_after_a_deal_patch_does_not_send_its_properties_again(world):
    con, sandbox = world
    _draft(con, sandbox)
    _extract(con, sandbox)
    with pytest.raises(BaseException) as died:
        _sync_status(con, sandbox, die_after_patch=True)
    assert type(died.value).__name__ == "Crash"
    patches = [w for w in sandbox.writes if w["method"] == "PATCH"]
    assert len(patches) == 1
    _sync_status(con, sandbox)
    again = [w for w in sandbox.writes if w["method"] == "PATCH"]
    sent = [(w["path"], name) for w in again for name in w["body"]["properties"]]
    assert len(sent) == len(set(sent))  # no property of any deal sent twice
    assert con.execute("SELECT count(*) FROM ops.sync_log WHERE status = 'pending'").fetchone() == (
        0,
    )


def test_a_paid_deposit_reaches_the_deal_and_releases_delivery(world):
    con, sandbox = world
    _draft(con, sandbox)
    deal_id, row = _first_drafted(con)
    _extract(con, sandbox)
    _sync_status(con, sandbox)
    before = _deal_properties(sandbox, deal_id)
    assert before["backbone_delivery_status"] == "paused"
    assert before["backbone_invoice_status"] == "draft"
    assert Decimal(before["backbone_amount_due"]) == row["total"]

    writes = _hubspot_writes(sandbox)
    _extract(con, sandbox)
    assert len(_sync_status(con, sandbox).posted) == 0  # nothing changed: nothing sent
    assert _hubspot_writes(sandbox) == writes

    # The bookkeeper approves the deposit invoice and the customer pays it.
    with _bookkeeper(sandbox) as bk:
        deposit_id = row["deposit_invoice_id"]
        bk.post(f"/Invoices/{deposit_id}", json={"Status": "AUTHORISED"}).raise_for_status()
        payment = {
            "Invoice": {"InvoiceID": deposit_id},
            "Account": {"Code": "1090"},
            "Amount": str(row["deposit_due"]),
            "Date": "2026-12-06",
        }
        bk.put("/Payments", json=payment).raise_for_status()
    _extract(con, sandbox)
    result = _sync_status(con, sandbox)
    assert result.posted == [f"deal-{deal_id}-props-2"]
    after = _deal_properties(sandbox, deal_id)
    assert after["backbone_invoice_status"] == "deposit_paid"
    assert after["backbone_delivery_status"] == "released"
    assert Decimal(after["backbone_amount_due"]) == row["total"] - row["deposit_due"]
    latest = current_drafts(con)[deal_id]
    assert (latest["version"], latest["change"], latest["delivery_status"]) == (
        2,
        "xero_status",
        "released",
    )


def _scope(con, sandbox: Sandbox, change: ScopeChange):
    xero, hubspot = _xero(), _hubspot()
    with xero.client("studio") as xc, hubspot.client("studio") as hc:
        return apply_scope_change(
            con,
            change,
            lambda b, key, invoice_id, body: xero.update_invoice(xc, key, invoice_id, body),
            lambda b, key, deal_id, props: hubspot.update_deal(hc, key, deal_id, props),
            run_id="test",
            at=AT,
        )


def _counts(con, sandbox: Sandbox) -> tuple:
    return (
        len(sandbox.writes),
        con.execute("SELECT count(*) FROM ops.sync_log").fetchone()[0],
        con.execute("SELECT count(*) FROM ops.audit_log").fetchone()[0],
        con.execute("SELECT count(*) FROM marts.invoice_drafts").fetchone()[0],
    )


def test_a_scope_change_without_an_approver_is_refused_and_writes_nothing(world):
    con, sandbox = world
    _draft(con, sandbox)
    deal_id = next(d for d, r in current_drafts(con).items() if r["origin"] == "backbone")
    before = _counts(con, sandbox)
    with pytest.raises(ScopeChangeRefused, match="needs an approver"):
        _scope(con, sandbox, ScopeChange(deal_id, Decimal("2750.00"), "  ", "bigger room"))
    with pytest.raises(ScopeChangeRefused, match="no invoice draft"):
        _scope(con, sandbox, ScopeChange("42", Decimal("2750.00"), "Dana", "unknown deal"))
    assert _counts(con, sandbox) == before


def test_the_scope_change_form_refuses_an_empty_approver_in_one_line(world, tmp_path):
    from pipeline.definitions import defs
    from resources.warehouse import WarehouseResource

    con, sandbox = world
    _draft(con, sandbox)
    deal_id, _ = _first_drafted(con)
    con.execute("CHECKPOINT")
    before = _counts(con, sandbox)
    config = {"deal_id": deal_id, "new_amount": "2750.00", "approver": "", "note": "bigger"}
    result = defs.get_job_def("scope_change_job").execute_in_process(
        run_config={"ops": {"apply_scope_change_op": {"config": config}}},
        resources={
            "xero": _xero(),
            "hubspot": _hubspot(),
            "warehouse": WarehouseResource(path=str(tmp_path / "warehouse.duckdb")),
        },
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.error.message
    assert "scope change refused: a scope change needs an approver" in message
    assert _counts(con, sandbox) == before


def test_a_scope_change_versions_the_draft_and_updates_xero_and_the_deal(world):
    con, sandbox = world
    _draft(con, sandbox)
    deal_id, row = _first_drafted(con)
    new_total = row["total"] + Decimal("500.01")
    version = _scope(
        con, sandbox, ScopeChange(deal_id, new_total, "Dana Reyes", "two more sessions")
    )
    assert (version["version"], version["approver"], version["total"]) == (
        2,
        "Dana Reyes",
        new_total,
    )
    assert version["deposit_due"] + (new_total - version["deposit_due"]) == new_total
    organisation = sandbox.xero_state("studio").invoices
    balance = organisation[row["xero_invoice_id"]].body
    deposit = organisation[row["deposit_invoice_id"]].body
    assert balance["Status"] == "DRAFT"
    assert (
        Decimal(balance["Total"].cents) / 100 + Decimal(deposit["Total"].cents) / 100 == new_total
    )
    assert Decimal(deposit["Total"].cents) / 100 == version["deposit_due"]
    assert Decimal(_deal_properties(sandbox, deal_id)["amount"]) == new_total
    actor, action = con.execute(
        "SELECT actor, action FROM ops.audit_log WHERE target = ?", [f"deal:{deal_id}"]
    ).fetchone()
    assert (actor, action) == ("Dana Reyes", "scope_change")
    writes = len(sandbox.writes)
    with pytest.raises(ScopeChangeRefused, match="nothing to change"):
        _scope(con, sandbox, ScopeChange(deal_id, new_total, "Dana Reyes", "again"))
    assert len(sandbox.writes) == writes
