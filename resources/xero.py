"""Xero (accounting): accounts, contacts, bank transactions, invoices, manual journals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from pipeline.fields import parse_spec, project
from resources.connector import VendorConnector
from resources.http import ApiClient, ApiError

FIELDS = {
    "Accounts": parse_spec("AccountID Code Name Type Class Status UpdatedDateUTC"),
    "Contacts": parse_spec(
        "ContactID ContactStatus Name FirstName LastName EmailAddress Phones.PhoneType "
        "Phones.PhoneNumber Phones.PhoneAreaCode Phones.PhoneCountryCode UpdatedDateUTC "
        "IsCustomer Addresses.AddressType Addresses.AddressLine1 Addresses.PostalCode "
        "Addresses.Region Addresses.Country"
    ),
    "BankTransactions": parse_spec(
        "BankTransactionID Type Status Reference Date DateString Total SubTotal TotalTax "
        "CurrencyCode IsReconciled UpdatedDateUTC BankAccount.AccountID BankAccount.Code "
        "Contact.ContactID LineItems.AccountCode LineItems.LineAmount"
    ),
    "Invoices": parse_spec(
        "InvoiceID InvoiceNumber Type Status Reference Date DateString DueDate DueDateString "
        "SubTotal TotalTax Total AmountDue AmountPaid CurrencyCode UpdatedDateUTC "
        "Contact.ContactID LineItems.Description LineItems.Quantity LineItems.UnitAmount "
        "LineItems.AccountCode LineItems.LineAmount"
    ),
}
PAGE_SIZE = 100


class XeroResource(VendorConnector):
    """Xero Accounting 2.0; one token may reach several organisations, chosen per call."""

    vendor: str = "xero"

    def _headers(self, business_id: str) -> dict[str, str]:
        from pipeline.tenants import xero_tenant

        return {**super()._headers(business_id), "xero-tenant-id": xero_tenant(business_id)}

    def list(
        self, client: ApiClient, collection: str, modified_since: datetime | None = None
    ) -> Iterator[dict[str, Any]]:
        headers = {}
        if modified_since is not None:
            headers["If-Modified-Since"] = modified_since.strftime("%Y-%m-%dT%H:%M:%S")
        page = 1
        while True:
            params = {"page": page} if collection != "Accounts" else {}
            body = client.json("GET", f"/{collection}", params=params, headers=headers)
            records = body.get(collection, [])
            for record in records:
                yield project(record, FIELDS[collection])
            if collection == "Accounts" or len(records) < PAGE_SIZE:
                return
            page += 1

    def put_manual_journal(self, client: ApiClient, idempotency_key: str, body: str) -> str:
        """PUT one ManualJournals envelope (already-serialised JSON, exact amounts) and return
        the ManualJournalID. The key makes the call safe to repeat: the connector's retries on
        429/5xx, and a re-run after a crash, get the stored answer instead of a second journal.
        """
        response = client.request(
            "PUT",
            "/ManualJournals",
            content=body.encode(),
            headers={"Idempotency-Key": idempotency_key, "Content-Type": "application/json"},
        )
        answer = json.loads(response.text, parse_float=Decimal)
        journals = answer.get("ManualJournals") if isinstance(answer, dict) else None
        journal = journals[0] if isinstance(journals, list) and len(journals) == 1 else None
        if not isinstance(journal, dict) or journal.get("ValidationErrors"):
            raise ApiError(self.vendor, response)
        journal_id = journal.get("ManualJournalID")
        if not isinstance(journal_id, str) or not journal_id:
            raise ApiError(self.vendor, response)
        return journal_id
