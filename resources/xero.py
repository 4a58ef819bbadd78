"""Xero (accounting): accounts, contacts, bank transactions, invoices (read); manual journals,
bank transactions, bank transfers and invoices (idempotent PUT), invoice updates (POST)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from pipeline.kernel.fields import parse_spec, project
from pipeline.kernel.normalize import mask_text
from resources.connector import VendorConnector
from resources.http import ApiClient, ApiError, safe_url

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


class XeroValidationError(ApiError):
    """Xero refused a document: its own validation messages, not the echoed document."""

    def __init__(self, vendor: str, response: httpx.Response) -> None:
        super().__init__(vendor, response)
        messages = _validation_messages(response)
        if messages:
            self.args = (
                f"{vendor}: {response.request.method} {safe_url(response.request.url)} -> "
                f"{response.status_code}: " + mask_text("; ".join(messages))[:500],
            )


def _validation_messages(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return []
    elements = body.get("Elements") if isinstance(body, dict) else None
    return [
        str(error.get("Message"))
        for element in elements or []
        if isinstance(element, dict)
        for error in element.get("ValidationErrors") or []
        if isinstance(error, dict) and error.get("Message")
    ]


class XeroResource(VendorConnector):
    """Xero Accounting 2.0; one token may reach several organisations, chosen per call."""

    vendor: str = "xero"

    def _headers(self, business_id: str) -> dict[str, str]:
        from pipeline.store.tenants import xero_tenant

        return {**super()._headers(business_id), "xero-tenant-id": xero_tenant(business_id)}

    def list(
        self, client: ApiClient, collection: str, modified_since: datetime | None = None
    ) -> Iterator[Any]:
        """Every record of a collection. Paged ones are read page=1, 2, ... until an EMPTY page:
        a short page is not the end (Xero may serve fewer than pageSize, and a smaller page
        size would otherwise lose the rest). Accounts is not paged in Xero's API."""
        headers = {}
        if modified_since is not None:
            # RFC 3339 with an offset, the spec's date-time format (a naive time is ambiguous).
            headers["If-Modified-Since"] = modified_since.astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        paged = collection != "Accounts"
        records = self.pages(
            client,
            "GET",
            f"/{collection}",
            collection,
            request_for=lambda page: {
                "params": {"page": page, "pageSize": PAGE_SIZE} if paged else {},
                "headers": headers,
            },
            next_token=lambda _, found, page: page + 1 if paged and found else None,
            position="page",
            first=1 if paged else None,
        )
        for record in records:
            # Lost pages and non-object records pass through for landing to dead-letter.
            yield project(record, FIELDS[collection]) if isinstance(record, dict) else record

    def put_manual_journal(self, client: ApiClient, idempotency_key: str, body: str) -> str:
        """PUT one ManualJournals envelope (already-serialised JSON, exact amounts) and return
        the ManualJournalID. The key makes the call safe to repeat: the connector's retries on
        429/5xx, and a re-run after a crash, get the stored answer instead of a second journal.
        """
        return self._put_one(client, "ManualJournals", "ManualJournalID", idempotency_key, body)

    def put_bank_transaction(self, client: ApiClient, idempotency_key: str, body: str) -> str:
        """PUT one BankTransactions envelope (spend/receive money); the BankTransactionID."""
        return self._put_one(client, "BankTransactions", "BankTransactionID", idempotency_key, body)

    def put_bank_transfer(self, client: ApiClient, idempotency_key: str, body: str) -> str:
        """PUT one BankTransfers envelope; the BankTransferID."""
        return self._put_one(client, "BankTransfers", "BankTransferID", idempotency_key, body)

    def put_invoice(self, client: ApiClient, idempotency_key: str, body: str) -> str:
        """PUT one Invoices envelope (an ACCREC draft); the InvoiceID."""
        return self._put_one(client, "Invoices", "InvoiceID", idempotency_key, body)

    def update_invoice(
        self, client: ApiClient, idempotency_key: str, invoice_id: str, body: str
    ) -> str:
        """POST /Invoices/{InvoiceID}: change an invoice's lines or status; the InvoiceID."""
        return self._put_one(
            client, "Invoices", "InvoiceID", idempotency_key, body, f"/Invoices/{invoice_id}"
        )

    def _put_one(
        self,
        client: ApiClient,
        collection: str,
        id_field: str,
        idempotency_key: str,
        body: str,
        update_path: str | None = None,
    ) -> str:
        """Create exactly one document of `collection` under `idempotency_key` (or, given
        `update_path`, POST an update to it): Xero's own validation messages on a 400, and an
        answer that is not one valid document is an error."""
        try:
            response = client.request(
                "POST" if update_path else "PUT",
                update_path or f"/{collection}",
                content=body.encode(),
                headers={"Idempotency-Key": idempotency_key, "Content-Type": "application/json"},
            )
        except ApiError as exc:
            if exc.status_code == 400:
                raise XeroValidationError(self.vendor, exc.response) from None
            raise
        answer = json.loads(response.text, parse_float=Decimal)
        documents = answer.get(collection) if isinstance(answer, dict) else None
        document = documents[0] if isinstance(documents, list) and len(documents) == 1 else None
        if not isinstance(document, dict) or document.get("ValidationErrors"):
            raise ApiError(self.vendor, response)
        object_id = document.get(id_field)
        if not isinstance(object_id, str) or not object_id:
            raise ApiError(self.vendor, response)
        return object_id
