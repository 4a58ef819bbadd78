"""Erasure on request, end to end as an operator runs it: `backbone run` for a studio day on
the simulator, `backbone erase --customer ID`, then a search of every table of warehouse.duckdb
and scorecard.duckdb and every file under exports/ for the person's email, phones and name; the
journals still balance, bean-check passes, HubSpot no longer has the contact, and the next run
does not bring the PII back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.kernel.erasure import NAMING_KEYS, personal_values, pseudonym, scrub
from tests.conftest import bean_check
from tests.test_run_live import clean_env
from tests.text_search import duckdb_hits

BACKBONE = str(Path(sys.executable).with_name("backbone"))
RUN = ["run", "--from", "2026-11-19", "--to", "2026-11-19", "--business", "studio"]


def test_a_person_record_keeps_ids_and_amounts_and_loses_every_personal_field():
    contact = {
        "id": "12001",
        "properties": {"email": "a@b.org", "firstname": "Ann", "phone": "+1 555 0100", "zip": "1"},
    }
    clean = scrub(contact, "erased-x")
    assert clean["id"] == "12001"
    assert clean["properties"] == {
        "email": None,
        "firstname": "erased-x",
        "phone": None,
        "zip": "erased-x",
    }
    order = {
        "id": "o1",
        "state": "COMPLETED",
        "customer_id": "C1",
        "total_money": {"amount": 5},
        "fulfillments": [{"recipient": {"display_name": "Ann Lee", "phone_number": "555"}}],
        "line_items": [{"name": "Cappuccino"}],
    }
    named = scrub(order, "erased-x", NAMING_KEYS)
    assert named["state"] == "COMPLETED" and named["line_items"] == [{"name": "Cappuccino"}]
    assert named["fulfillments"][0]["recipient"] == {
        "display_name": "erased-x",
        "phone_number": None,
    }
    assert "Ann Lee" not in json.dumps(named) and personal_values(contact) >= {"a@b.org", "Ann"}


def _backbone(*args: str, home: Path) -> str:
    env = clean_env(BACKBONE_HOME=str(home), BACKBONE_NOW="2026-11-20T12:00:00Z")
    done = subprocess.run(  # noqa: S603 - our own console script
        [BACKBONE, *args], env=env, capture_output=True, text=True, timeout=900
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    return out


def _person(home: Path) -> dict:
    """A studio customer synced to HubSpot, with a Square record, a mailbox, a phone and a
    name no one else has (so a search for the name can only find them)."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        row = con.execute(
            """
            SELECT c.customer_id, c.email, c.phone, c.given_name, c.family_name
            FROM core.customers AS c
            JOIN ops.crm_contacts AS s USING (customer_id)
            WHERE c.business_id = 'studio' AND c.email IS NOT NULL AND c.phone IS NOT NULL
              AND list_contains(c.sources, 'square') AND list_contains(c.sources, 'hubspot')
              AND (SELECT count(*) FROM core.customers AS o WHERE o.given_name = c.given_name
                   AND o.family_name = c.family_name) = 1
            ORDER BY c.customer_id LIMIT 1
            """
        ).fetchone()
        assert row is not None
        customer_id, email, phone, given, family = row
        raw_phones = con.execute(
            """
            SELECT DISTINCT json_extract_string(r.payload, '$.phone_number')
            FROM raw.square_customers AS r JOIN core.identity_map AS m
              ON m.source = 'square' AND m.source_id = r.record_id AND m.business_id = r.business_id
            WHERE m.customer_id = ?
            """,
            [customer_id],
        ).fetchall()
        contact = con.execute(
            "SELECT contact_id FROM ops.crm_contacts WHERE customer_id = ?", [customer_id]
        ).fetchone()[0]
    phones = {phone} | {p for (p,) in raw_phones if p}
    return {
        "id": customer_id,
        "needles": sorted({email, *phones, f"{given} {family}"}),
        "contact": contact,
    }


def _hits(home: Path, needles: list[str]) -> list[str]:
    found = duckdb_hits(home / "warehouse.duckdb", needles)
    found += duckdb_hits(home / "scorecard.duckdb", needles)
    for path in (home / "exports").rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            found += [f"{path.name}: {n!r}" for n in needles if n.lower().encode() in data]
    return found


def _journals_balance(home: Path) -> None:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        unbalanced = con.execute(
            "SELECT entry_id FROM marts.journal_lines GROUP BY entry_id "
            "HAVING sum(debit) <> sum(credit)"
        ).fetchall()
        assert con.execute("SELECT count(*) FROM marts.journal_lines").fetchone()[0] > 0
    assert unbalanced == []


@pytest.mark.e2e
def test_after_erasure_no_table_or_export_holds_the_person(tmp_path):
    _backbone(*RUN, home=tmp_path)
    person = _person(tmp_path)
    assert _hits(tmp_path, person["needles"])  # the search finds them before erasure
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        debits_before = con.execute(
            "SELECT sum(debit), sum(credit) FROM marts.journal_lines"
        ).fetchone()

    out = _backbone("erase", "--customer", person["id"], "--requested-by", "dpo", home=tmp_path)
    assert pseudonym(person["id"]) in out, out

    assert _hits(tmp_path, person["needles"]) == []
    _journals_balance(tmp_path)
    checked = bean_check(tmp_path / "exports" / "ledger.beancount")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        # Finance untouched: the same totals, the customer's rows under the same opaque id.
        assert (
            con.execute("SELECT sum(debit), sum(credit) FROM marts.journal_lines").fetchone()
            == debits_before
        )
        log = con.execute(
            "SELECT customer_id, pseudonym, requested_by, hubspot_contacts, hubspot_status, "
            "length(subject_sha256) FROM ops.erasure_log"
        ).fetchall()
        assert log == [
            (person["id"], pseudonym(person["id"]), "dpo", person["contact"], "deleted", 64)
        ]
        assert con.execute(
            "SELECT status FROM ops.sync_log WHERE target = 'hubspot:gdpr-delete'"
        ).fetchall() == [("deleted",)]
        assert con.execute(
            "SELECT count(*) FROM ops.crm_contacts WHERE customer_id = ?", [person["id"]]
        ).fetchone() == (0,)
        # The erasure log holds no PII either (the search above covered ops.erasure_log too).

    # The next run re-extracts Square (which still holds the person) and HubSpot: neither the
    # PII nor the HubSpot contact comes back.
    _backbone(*RUN, home=tmp_path)
    assert _hits(tmp_path, person["needles"]) == []
    _journals_balance(tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM raw.hubspot_contacts WHERE business_id = 'studio' "
            "AND record_id = ?",
            [person["contact"]],
        ).fetchone() == (0,)
        assert con.execute(
            "SELECT count(*) FROM ops.crm_contacts WHERE customer_id = ?", [person["id"]]
        ).fetchone() == (0,)
