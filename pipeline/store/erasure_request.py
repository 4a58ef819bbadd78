"""One erasure request, start to finish (the `backbone erase` command and `erase_customer_job`):

1. HubSpot is asked to GDPR-delete every contact the customer is linked or synced to, each call
   logged in ops.sync_log (target `hubspot:gdpr-delete`) like every other external write;
2. in one transaction the warehouse is scrubbed (pipeline/store/erasure.py), the person's vendor
   records join ops.erased_subjects (landing scrubs them again if a vendor sends them back), the
   CRM sync state is dropped, and the request is logged in ops.erasure_log and ops.audit_log;
3. the analysts' scorecard.duckdb and the text exports are scrubbed the same way.

Re-running a request is safe: the subject is found again through core.identity_map, HubSpot
answers 404 for a contact it already deleted ('absent'), and scrubbed values stay scrubbed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline.accounting.xero_journal import mask_error
from pipeline.kernel.timeutil import utcnow
from pipeline.store import audit
from pipeline.store.analyst_file import forget_customer
from pipeline.store.erasure import (
    Subject,
    find_subject,
    forget_crm_state,
    hubspot_contacts,
    scrub_tables,
    scrub_text_file,
    scrub_warehouse,
)
from pipeline.store.transaction import transaction

GDPR_DELETE_TARGET = "hubspot:gdpr-delete"
TEXT_EXPORTS = (".beancount", ".html", ".csv", ".txt", ".json", ".md")
# (business, contact id, idempotency key) -> 'deleted' | 'absent'; raises when HubSpot refuses.
DeleteContact = Callable[[str, str, str], str]


@dataclass
class Erasure:
    customer_id: str
    pseudonym: str
    rows_scrubbed: int = 0
    files_scrubbed: list[str] = field(default_factory=list)
    hubspot: list[tuple[str, str, str]] = field(default_factory=list)  # business, contact, status
    hubspot_error: str | None = None

    @property
    def hubspot_status(self) -> str:
        if self.hubspot_error:
            return f"failed: {self.hubspot_error}"
        return "deleted" if self.hubspot else "none"


def _ask_hubspot(
    con: duckdb.DuckDBPyConnection,
    subject: Subject,
    delete_contact: DeleteContact,
    result: Erasure,
    *,
    run_id: str | None,
    at: datetime,
) -> None:
    for business_id, contact_id in hubspot_contacts(con, subject):
        key = f"erase:{subject.customer_id}:{business_id}:{contact_id}"
        status, error = "failed", None
        try:
            status = delete_contact(business_id, contact_id, key)
        except Exception as exc:  # logged and reported; the request stays open for a re-run
            error = mask_error(exc)
            result.hubspot_error = result.hubspot_error or error
        con.execute(
            "INSERT OR REPLACE INTO ops.sync_log (target, idempotency_key, object_id, status, "
            '"at", run_id, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [GDPR_DELETE_TARGET, key, contact_id, status, at, run_id, error],
        )
        result.hubspot.append((business_id, contact_id, status))


def _log(con, subject: Subject, result: Erasure, requested_by: str, run_id, at) -> None:
    request = f"{subject.customer_id}|{at.isoformat()}|{run_id}"
    erasure_id = hashlib.sha256(request.encode()).hexdigest()
    con.execute(
        "INSERT OR REPLACE INTO ops.erasure_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            erasure_id[:24],
            subject.customer_id,
            subject.pseudonym,
            subject.sha256,
            requested_by,
            at,
            result.rows_scrubbed,
            ";".join(c for _, c, _ in result.hubspot) or None,
            result.hubspot_status,
            run_id,
        ],
    )
    con.execute(
        "INSERT OR IGNORE INTO ops.erased_subjects SELECT * FROM (SELECT unnest(?) AS business_id, "
        "unnest(?) AS source, unnest(?) AS record_id, ? AS customer_id, ? AS pseudonym, "
        "?::TIMESTAMPTZ AS erased_at)",
        [
            [b for b, _, _ in subject.records],
            [s for _, s, _ in subject.records],
            [i for _, _, i in subject.records],
            subject.customer_id,
            subject.pseudonym,
            at,
        ],
    )
    audit.record(
        con,
        "erase",
        f"customer/{subject.customer_id}",
        [subject.sha256],
        run_id=run_id,
        actor=requested_by,
        at=at,
    )


def _scrub_files(home: Path, subject: Subject, result: Erasure) -> None:
    scorecard = home / "scorecard.duckdb"
    if scorecard.exists():
        with duckdb.connect(str(scorecard)) as con:
            schemas = [
                s
                for (s,) in con.execute(
                    "SELECT schema_name FROM duckdb_schemas() WHERE database_name = "
                    "current_database() AND NOT internal"
                ).fetchall()
            ]
            if scrub_tables(con, subject, schemas):
                result.files_scrubbed.append(str(scorecard))
    exports = home / "exports"
    for path in sorted(exports.rglob("*")) if exports.is_dir() else []:
        if path.is_file() and path.suffix in TEXT_EXPORTS and scrub_text_file(path, subject):
            result.files_scrubbed.append(str(path))


def erase_customer(
    con: duckdb.DuckDBPyConnection,
    customer_id: str,
    *,
    requested_by: str,
    delete_contact: DeleteContact,
    home: Path | None,
    run_id: str | None = None,
    at: datetime | None = None,
) -> Erasure:
    """Erase one customer (see the module doc). UnknownCustomer when the id links no record."""
    at = at or utcnow()
    subject = find_subject(con, customer_id)
    result = Erasure(customer_id, subject.pseudonym)
    _ask_hubspot(con, subject, delete_contact, result, run_id=run_id, at=at)
    with transaction(con):
        result.rows_scrubbed = scrub_warehouse(con, subject)
        if result.hubspot_error is None:
            # Kept while HubSpot still holds the contact, so a re-run knows what to delete.
            forget_crm_state(con, customer_id)
        _log(con, subject, result, requested_by, run_id, at)
    if home is not None:
        _scrub_files(home, subject, result)
        # The analysts' pseudonymous customer rows go too (the file has no PII to scrub).
        scorecard = str(home / "scorecard.duckdb")
        if forget_customer(con, home / "scorecard.duckdb", customer_id) and (
            scorecard not in result.files_scrubbed
        ):
            result.files_scrubbed.append(scorecard)
    return result
