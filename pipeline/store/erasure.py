"""Erasure on request: a customer's PII out of every table (raw, staging, core, marts, ops) of a
DuckDB file and out of the text exports, their financial rows kept under a pseudonym.

Who the person is comes from the identity graph: core.identity_map's (source, source_id) rows of
the customer are their vendor records. Those records are scrubbed field by field
(pipeline/kernel/erasure.py); every other row is searched for what identifies the person:
- everywhere: their mailboxes, phone numbers (as each source wrote them) and full names;
- in rows that belong to them (a customer, contact or record id column holding one of their
  ids): also given and family names, postcode, loyalty id and the rest of their values.
Amounts, dates, account codes and ids are never touched, so journals still balance.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.kernel.erasure import (
    NAMING_KEYS,
    PERSONAL_KEYS,
    needle_pattern,
    personal_values,
    pseudonym,
    scrub,
    strong_needles,
)
from pipeline.store.connection import base_tables

# Tables erasure never edits: the hash-chained audit trail (it holds digests, never values),
# erasure's own records, and the migrations ledger.
UNTOUCHED = {
    ("ops", "audit_log"),
    ("ops", "erasure_log"),
    ("ops", "erased_subjects"),
    ("ops", "schema_migrations"),
}
# Columns whose value is one of a person's ids: a row holding one belongs to them.
_ID_COLUMNS = re.compile(
    r"^(customer_id|source_id|matched_source_id|record_id|contact_id|\w+_(customer|contact)_id)$"
)
# Free text about a person's own deal (a deal is often named after its customer).
_NAMED_COLUMNS = {"deal_name", "display_name"}
_TEXT_TYPES = {"VARCHAR", "JSON"}
# Sync state of the customer (digests and HubSpot ids); dropped once HubSpot deleted the contact.
CRM_STATE = ("crm_contact_state", "crm_list_members", "crm_tasks", "crm_contacts")


class UnknownCustomer(LookupError):
    """No record of the identity graph belongs to this customer id."""


@dataclass(frozen=True)
class Subject:
    customer_id: str
    pseudonym: str
    records: tuple[tuple[str, str, str], ...]  # (business_id, source, source_id)
    strong: frozenset[str]  # identify the person anywhere
    weak: frozenset[str]  # identify them only in rows that are theirs

    @property
    def ids(self) -> list[str]:
        return sorted({self.customer_id, *(r[2] for r in self.records)})

    @property
    def businesses(self) -> list[str]:
        return sorted({r[0] for r in self.records})

    @property
    def sha256(self) -> str:
        """A digest of what was erased, for the log: proves the values without keeping them."""
        body = "\n".join(sorted(self.strong | self.weak))
        return hashlib.sha256(body.encode()).hexdigest()


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    return dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
    )


def _key_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE schema_name = ? "
        "AND table_name = ? AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')",
        [schema, table],
    ).fetchall()
    return {c for (names,) in rows for c in names}


def _raw_payloads(con, records: Iterable[tuple[str, str, str]]) -> list[dict]:
    """The person's own vendor records, as landed or dead-lettered."""
    by_source: dict[str, list[str]] = {}
    for business_id, source, source_id in records:
        by_source.setdefault(source, []).append(f"{business_id}|{source_id}")
    payloads = []
    for _, table in base_tables(con, "raw"):
        keys = by_source.get(table.split("_", 1)[0])
        if keys:
            rows = con.execute(
                f"SELECT payload FROM raw.{table} "
                "WHERE business_id || '|' || record_id IN (SELECT unnest(?))",
                [sorted(keys)],
            ).fetchall()
            payloads += [json.loads(p) for (p,) in rows]
    # A record of theirs that never landed (dead-lettered) still holds their values.
    keys = [f"{b}|{s}|{i}" for b, s, i in records]
    rows = con.execute(
        "SELECT payload FROM ops.dead_letter WHERE payload IS NOT NULL AND "
        "business_id || '|' || source || '|' || record_id IN (SELECT unnest(?))",
        [keys],
    ).fetchall()
    payloads += [p for p in (json.loads(p) for (p,) in rows) if isinstance(p, dict)]
    return payloads


_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]+$")
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _is_contact_point(value: str) -> bool:
    """A mailbox or phone number: unique to the person, so searched for everywhere."""
    if "@" in value:
        return True
    phone = bool(_PHONE_LIKE.match(value)) and not _DATE_LIKE.match(value)
    return phone and sum(ch.isdigit() for ch in value) >= 7


def find_subject(con: duckdb.DuckDBPyConnection, customer_id: str) -> Subject:
    records = tuple(
        con.execute(
            "SELECT DISTINCT business_id, source, source_id FROM core.identity_map "
            "WHERE customer_id = ? ORDER BY ALL",
            [customer_id],
        ).fetchall()
    )
    if not records:
        raise UnknownCustomer(f"no customer {customer_id!r} in core.identity_map")
    stand_in = pseudonym(customer_id)
    values: set[str] = set()
    names: set[tuple[str, str]] = set()
    for payload in _raw_payloads(con, records):
        values |= personal_values(payload)
        props = payload.get("properties") or {}
        names.add((payload.get("given_name") or "", payload.get("family_name") or ""))
        names.add((props.get("firstname") or "", props.get("lastname") or ""))
        names.add((payload.get("FirstName") or "", payload.get("LastName") or ""))
    wanted = ("email", "phone", "given_name", "family_name", "loyalty_id", "postcode")
    for row in con.execute(
        f"SELECT {', '.join(wanted)} FROM core.customers WHERE customer_id = ?", [customer_id]
    ).fetchall():
        values |= {str(v) for v in row if v}
        names.add((row[2] or "", row[3] or ""))
    for (name,) in con.execute(
        "SELECT DISTINCT name_normalized FROM core.identity_map WHERE customer_id = ? "
        "AND name_normalized IS NOT NULL",
        [customer_id],
    ).fetchall():
        values.add(name)
    values = {v.strip() for v in values if v and v.strip() and stand_in not in v}
    contact = {v for v in values if _is_contact_point(v)}
    # Full names and other several-word values (a street) identify the person on their own.
    phrases = {v for v in values if " " in v and not _PHONE_LIKE.match(v)}
    strong = {s for s in strong_needles(contact, set(), names) | phrases if stand_in not in s}
    return Subject(customer_id, stand_in, records, frozenset(strong), frozenset(values - strong))


def _scrub_raw(con: duckdb.DuckDBPyConnection, subject: Subject) -> int:
    """The person's own vendor records field by field; records naming them (orders, deals) in
    their naming fields and wherever a strong value appears."""
    own = set(subject.records)
    businesses = sorted({b for b, _, _ in subject.records})
    strong = needle_pattern(set(subject.strong))
    mention = needle_pattern(set(subject.strong) | {f'"{i}"' for i in subject.ids})
    text_strong = re.compile(strong[4:]) if strong else None
    changed = 0
    for _, table in base_tables(con, "raw"):
        source = table.split("_", 1)[0]
        ids = sorted(i for _, s, i in own if s == source)
        rows = con.execute(
            f"SELECT rowid, business_id, record_id, payload FROM raw.{table} "
            "WHERE business_id IN (SELECT unnest(?)) AND (record_id IN (SELECT unnest(?)) "
            "OR (? IS NOT NULL AND regexp_matches(payload::VARCHAR, ?)))",
            [businesses, ids or [""], mention, mention or ""],
        ).fetchall()
        for rowid, business_id, record_id, payload in rows:
            value = json.loads(payload)
            mine = (business_id, source, record_id) in own
            value = (
                scrub(value, subject.pseudonym)
                if mine
                else scrub(value, subject.pseudonym, NAMING_KEYS)
            )
            text = json.dumps(value, sort_keys=True)
            if text_strong is not None:
                text = re.sub(text_strong.pattern, subject.pseudonym, text, flags=re.IGNORECASE)
            if text != json.dumps(json.loads(payload), sort_keys=True):
                con.execute(f"UPDATE raw.{table} SET payload = ? WHERE rowid = ?", [text, rowid])
                changed += 1
    return changed


def _replace(column: str, kind: str, pattern_param: str) -> str:
    text = f'CAST("{column}" AS VARCHAR)'
    replaced = f"regexp_replace({text}, {pattern_param}, $stand_in, 'g')"
    return f"CAST({replaced} AS JSON)" if kind == "JSON" else replaced


def scrub_tables(con: duckdb.DuckDBPyConnection, subject: Subject, schemas: Iterable[str]) -> int:
    """Every text column of every table in `schemas`: strong values everywhere, all of the
    person's values in their own rows. Returns the number of rows changed."""
    strong = needle_pattern(set(subject.strong))
    every = needle_pattern(set(subject.strong | subject.weak))
    changed = 0
    for schema, table in (t for s in schemas for t in base_tables(con, s)):
        if (schema, table) in UNTOUCHED:
            continue
        cols = _columns(con, schema, table)
        keys = _key_columns(con, schema, table)
        # Ids and key columns are never rewritten (a pseudonym is no id; DuckDB keys stay put).
        text = {
            c: k
            for c, k in cols.items()
            if k in _TEXT_TYPES
            and c not in keys
            and not _ID_COLUMNS.match(c)
            and c != "business_id"
        }
        if not text:
            continue
        owned = [c for c in cols if _ID_COLUMNS.match(c) and cols[c] == "VARCHAR"]
        mine = " OR ".join(f'"{c}" IN (SELECT unnest($ids))' for c in owned) or "false"
        if owned and "business_id" in cols:  # a HubSpot id is only unique within its portal
            mine = f"business_id IN (SELECT unnest($businesses)) AND ({mine})"
        passes = [(every, f"({mine})"), (strong, "true")]
        for pattern, where in passes:
            if pattern is None:
                continue
            sets = ", ".join(
                f'"{c}" = CASE WHEN regexp_matches(CAST("{c}" AS VARCHAR), $p) '
                f'THEN {_replace(c, k, "$p")} ELSE "{c}" END'
                for c, k in text.items()
            )
            hit = " OR ".join(f'regexp_matches(CAST("{c}" AS VARCHAR), $p)' for c in text)
            params = {"p": pattern, "stand_in": subject.pseudonym}
            if "$ids" in where:
                params["ids"] = subject.ids
            if "$businesses" in where:
                params["businesses"] = subject.businesses
            count = con.execute(
                f"UPDATE {schema}.{table} SET {sets} WHERE ({where}) AND ({hit})", params
            ).fetchone()
            changed += count[0] if count else 0
        named = [c for c in text if c in _NAMED_COLUMNS]
        if named and owned:
            sets = ", ".join(f'"{c}" = $stand_in' for c in named)
            params = {"ids": subject.ids, "stand_in": subject.pseudonym}
            if "$businesses" in mine:
                params["businesses"] = subject.businesses
            count = con.execute(
                f"UPDATE {schema}.{table} SET {sets} WHERE ({mine})", params
            ).fetchone()
            changed += count[0] if count else 0
    return changed


def scrub_warehouse(con: duckdb.DuckDBPyConnection, subject: Subject) -> int:
    """raw.* by field, then staging, core, marts and ops by value (see the module doc)."""
    return _scrub_raw(con, subject) + scrub_tables(
        con, subject, ("staging", "core", "marts", "ops")
    )


def scrub_text_file(path: Path, subject: Subject) -> bool:
    """An export (Beancount, HTML, CSV) with the person's strong values replaced."""
    pattern = needle_pattern(set(subject.strong))
    if pattern is None:
        return False
    text = path.read_text(encoding="utf-8")
    clean = re.sub(pattern[4:], subject.pseudonym, text, flags=re.IGNORECASE)
    if clean == text:
        return False
    temporary = path.with_name(path.name + ".erasing")
    temporary.write_text(clean, encoding="utf-8")
    temporary.replace(path)  # readers see the old file or the new one, never half of it
    return True


def forget_crm_state(con: duckdb.DuckDBPyConnection, customer_id: str) -> None:
    for table in CRM_STATE:
        con.execute(f"DELETE FROM ops.{table} WHERE customer_id = ?", [customer_id])


def hubspot_contacts(con: duckdb.DuckDBPyConnection, subject: Subject) -> list[tuple[str, str]]:
    """(business, HubSpot contact id) of every contact the customer is linked or synced to."""
    linked = {(b, i) for b, s, i in subject.records if s == "hubspot"}
    synced = con.execute(
        "SELECT business_id, contact_id FROM ops.crm_contacts WHERE customer_id = ?",
        [subject.customer_id],
    ).fetchall()
    return sorted(linked | {(b, i) for b, i in synced})


def scrub_erased_rows(con: duckdb.DuckDBPyConnection, source: str, rows: list) -> list:
    """Raw rows about to land, with erased people's records scrubbed again: a vendor that still
    holds the person (Square keeps its customers) sends them back on every extraction. Their own
    records lose every personal field; records naming them (an order with their customer id)
    lose their naming fields."""
    erased: dict[tuple[str, str], str] = {
        (b, i): p
        for b, i, p in con.execute(
            "SELECT business_id, record_id, pseudonym FROM ops.erased_subjects WHERE source = ?",
            [source],
        ).fetchall()
    }
    if not erased or not rows:
        return rows
    cleaned = []
    for row in rows:
        stand_in = erased.get((row.business_id, row.record_id))
        keys = PERSONAL_KEYS
        if stand_in is None:
            named = (
                p
                for (b, i), p in erased.items()
                if b == row.business_id and f'"{i}"' in row.payload
            )
            stand_in, keys = next(named, None), NAMING_KEYS
        if stand_in is not None:
            payload = json.dumps(scrub(json.loads(row.payload), stand_in, keys), sort_keys=True)
            row = row._replace(payload=payload)
        cleaned.append(row)
    return cleaned
