"""Canonical forms of the keys that identify a person across POS, CRM and ledger."""

from __future__ import annotations

import re

import phonenumbers

_EMAIL = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
# Role mailboxes are shared by staff or households: never evidence that two records are one person.
GENERIC_EMAIL_LOCALS = frozenset(
    {
        "info",
        "hello",
        "contact",
        "admin",
        "office",
        "sales",
        "support",
        "noreply",
        "no-reply",
        "test",
        "none",
        "na",
        "n/a",
        "customer",
        "guest",
        "orders",
        "shop",
        "store",
    }
)


def email(value: str | None) -> str | None:
    """Lower-cased, trimmed address, or None if it is not a plausible mailbox."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if not _EMAIL.match(text):
        return None
    return text


def is_generic_email(value: str | None) -> bool:
    return value is not None and value.split("@", 1)[0] in GENERIC_EMAIL_LOCALS


def phone(value: str | None, region: str = "US") -> str | None:
    """E.164 for a valid number in the given default region, else None."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or not any(ch.isdigit() for ch in text):
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def loyalty_id(value: str | None) -> str | None:
    """Loyalty ids are typed by hand as 'LOY-004512', 'loy4512' or '4512': keep the number."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", str(value))
    if not digits or int(digits) == 0:
        return None
    return f"LOY-{int(digits):06d}"


def name(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text.title() if text else None


def mask_email(value: str | None) -> str:
    """For logs: 'j***@example.com'."""
    if not value or "@" not in value:
        return "***"
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_phone(value: str | None) -> str:
    """For logs: keep the last two digits only."""
    digits = re.sub(r"\D", "", value or "")
    return f"***{digits[-2:]}" if len(digits) >= 2 else "***"


_EMAIL_IN_TEXT = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d ().-]{6,}\d")


def mask_text(text: str) -> str:
    """Free text (vendor error bodies) with emails and phone-like numbers masked."""
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
