"""Canonical forms of the keys that identify a person across POS, CRM and ledger."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import phonenumbers

from pipeline.kernel.secrets import redact_secrets

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
        # What staff type at a till when the customer gives no address.
        "noemail",
        "nomail",
        "no",
        "walkin",
        "walk-in",
        "unknown",
        "declined",
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
    return value is not None and value.split("@", 1)[0].split("+", 1)[0] in GENERIC_EMAIL_LOCALS


# Domains people mistype at a till often enough to matter; the fix is unambiguous.
EMAIL_DOMAIN_TYPOS = {
    "gmial.com": "gmail.com",
    "gmal.com": "gmail.com",
    "gamil.com": "gmail.com",
    "gnail.com": "gmail.com",
    "gmaill.com": "gmail.com",
    "gmail.co": "gmail.com",
    "gmail.con": "gmail.com",
    "googlemail.com": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmal.com": "hotmail.com",
    "hotmail.co": "hotmail.com",
    "yahooo.com": "yahoo.com",
    "yaho.com": "yahoo.com",
    "yahoo.co": "yahoo.com",
    "outlok.com": "outlook.com",
    "outlook.co": "outlook.com",
    "iclod.com": "icloud.com",
    "icloud.co": "icloud.com",
}
# Providers that ignore dots in the local part, so j.doe and jdoe are one mailbox.
DOTLESS_DOMAINS = frozenset({"gmail.com"})


def email_key(value: str | None) -> str | None:
    """The mailbox an address delivers to: what identity matching compares.

    Sub-addresses (jane+shop@) reach the same inbox, Gmail ignores dots, and a handful of
    well-known domain typos are fixed. `email()` keeps what the person typed, for display.
    """
    text = email(value)
    if text is None:
        return None
    local, domain = text.rsplit("@", 1)
    domain = EMAIL_DOMAIN_TYPOS.get(domain, domain)
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    if not local:
        return None
    return f"{local}@{domain}"


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


def fold(text: str) -> str:
    """Lower-case ASCII: 'José' and 'Jose' are the same name to a cashier's keyboard."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"})


def given_name_key(value: str | None) -> str | None:
    """First given name, folded, without titles: 'Dr. Mary-Ann' -> 'maryann'."""
    if value is None:
        return None
    tokens = [t for t in re.split(r"[\s.,]+", fold(str(value))) if t and t not in _TITLES]
    if not tokens:
        return None
    letters = re.sub(r"[^a-z]", "", tokens[0])
    return letters or None


def family_name_key(value: str | None) -> str | None:
    """Family name folded to letters, suffixes dropped: "O'Brien-Smith Jr." -> 'obriensmith'."""
    if value is None:
        return None
    tokens = [t for t in re.split(r"[\s.,]+", fold(str(value))) if t and t not in _SUFFIXES]
    letters = re.sub(r"[^a-z]", "", "".join(tokens))
    return letters or None


# USPS street suffix and unit abbreviations (Publication 28), the ones seen in practice.
ADDRESS_TOKENS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "boulevard": "blvd",
    "court": "ct",
    "place": "pl",
    "terrace": "ter",
    "circle": "cir",
    "parkway": "pkwy",
    "highway": "hwy",
    "square": "sq",
    "way": "way",
    "apartment": "apt",
    "suite": "ste",
    "unit": "apt",
    "number": "apt",
    "no": "apt",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
}


def address_key(value: str | None) -> str | None:
    """Street address folded, punctuation gone, suffixes and units abbreviated the USPS way."""
    if value is None:
        return None
    text = re.sub(r"#\s*", " apt ", fold(str(value)))
    tokens = re.findall(r"[a-z0-9]+", text)
    if not tokens:
        return None
    out: list[str] = []
    for token in (ADDRESS_TOKENS.get(t, t) for t in tokens):
        if not out or out[-1] != token:  # 'Apt. #4' says apartment twice
            out.append(token)
    return " ".join(out)


def postcode_key(value: str | None, country: str = "US") -> str | None:
    """US ZIP+4 -> ZIP5; elsewhere upper-case without spaces ('sw1a 1aa' -> 'SW1A1AA')."""
    if value is None:
        return None
    text = re.sub(r"\s+", "", str(value)).upper()
    if country == "US":
        match = re.fullmatch(r"(\d{5})(-?\d{4})?", text)
        return match.group(1) if match else None
    return text or None


def birth_date_key(value: str | None) -> str | None:
    """ISO date from '1988-03-07', '1988-03-07T00:00:00' or US '03/07/1988'; else None."""
    if value is None:
        return None
    text = str(value).strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if iso:
        year, month, day = iso.groups()
    elif us:
        month, day, year = us.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


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
    """Free text (vendor error bodies) with secrets, emails and phone-like numbers masked."""
    text = redact_secrets(text)
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
