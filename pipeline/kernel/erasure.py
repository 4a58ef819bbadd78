"""What erasure and retention take out of a vendor record, as pure functions over JSON values.

A person's vendor records (Square customer, HubSpot contact, Xero contact) and the records that
name them (orders, deals) keep their shape and every financial field; the personal fields are
emptied (contact channels) or replaced by the person's pseudonym (names, addresses), so
staging still parses them and the books keep pointing at one, now anonymous, customer.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

# Keys naming a person inside records about something else (an order's recipient, a deal's
# name), compared lower-cased. A dict or list under such a key is personal throughout.
NAMING_KEYS = frozenset(
    {
        "email_address", "buyer_email_address", "phone_number", "recipient", "display_name",
        "shipping_address", "billing_address", "dealname",
    }
)  # fmt: skip
# Keys whose values are personal in a person's own record (Square customer, HubSpot contact,
# Xero contact; the vendors' documented names).
PERSONAL_KEYS = NAMING_KEYS | frozenset(
    {
        # Square customers
        "given_name", "family_name", "nickname", "company_name", "birthday", "address",
        "address_line_1", "address_line_2", "address_line_3", "postal_code", "locality",
        "note", "reference_id",
        # HubSpot contact properties
        "email", "firstname", "lastname", "phone", "mobilephone", "zip", "city", "state",
        "loyalty_id", "date_of_birth",
        # Xero contacts
        "emailaddress", "name", "phones", "addresses", "phonenumber", "contactpersons",
        "bankaccountdetails",
    }
)  # fmt: skip
# Contact channels are emptied rather than pseudonymised: a pseudonym is not an address.
_EMPTIED = re.compile(r"mail|phone")
# Values shorter than this are not searched for in free text (an initial, a two-letter state).
MIN_NEEDLE_CHARS = 3


def pseudonym(customer_id: str) -> str:
    """The stable stand-in an erased customer is known by from then on."""
    return "erased-" + hashlib.sha256(customer_id.encode()).hexdigest()[:12]


def personal_values(value: Any, personal: bool = False) -> set[str]:
    """Every string found under a personal key, at any depth."""
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            found |= personal_values(item, personal or key.lower() in PERSONAL_KEYS)
        return found
    if isinstance(value, list):
        return set().union(*(personal_values(item, personal) for item in value))
    if personal and isinstance(value, str) and len(value.strip()) >= MIN_NEEDLE_CHARS:
        return {value.strip()}
    return set()


def scrub(
    value: Any,
    stand_in: str,
    keys: frozenset[str] = PERSONAL_KEYS,
    key: str = "",
    personal: bool = False,
) -> Any:
    """`value` with every field under `keys` emptied (contact channels) or replaced by
    `stand_in`; ids, amounts, dates and everything else are left as they were."""
    if isinstance(value, dict):
        return {
            k: scrub(v, stand_in, keys, k, personal or k.lower() in keys) for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(item, stand_in, keys, key, personal) for item in value]
    if personal and isinstance(value, str) and value:
        return None if _EMPTIED.search(key.lower()) else stand_in
    return value


def needle_pattern(needles: set[str]) -> str | None:
    """A case-insensitive RE2 pattern matching any of `needles` (longest first), or None."""
    usable = sorted({n for n in needles if len(n) >= MIN_NEEDLE_CHARS}, key=lambda n: (-len(n), n))
    if not usable:
        return None
    return "(?i)(" + "|".join(re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", n) for n in usable) + ")"


def strong_needles(emails: set[str], phones: set[str], names: set[tuple[str, str]]) -> set[str]:
    """Values that identify the person wherever they appear: mailboxes, phone numbers in every
    form the sources wrote them, and full names."""
    found = {e for e in emails if e} | {p for p in phones if p}
    for given, family in names:
        if given and family:
            found |= {f"{given} {family}", f"{family}, {given}", f"{family} {given}"}
    return found
