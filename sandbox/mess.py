"""How real systems garble a person's details: phone formats, email case and whitespace,
nicknames, typos, loyalty id spellings. Every function draws from the caller's seeded generator.
"""

from __future__ import annotations

import random

import phonenumbers

EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def phone_styles(national: str) -> dict[str, str]:
    a, b, c = national[:3], national[3:6], national[6:]
    return {
        "paren": f"({a}) {b}-{c}",
        "dots": f"{a}.{b}.{c}",
        "intl": f"+1 {a} {b} {c}",
        "plain": national,
        "e164": f"+1{national}",
        "dash": f"{a}-{b}-{c}",
    }


_PHONE_STYLE_NAMES = ("paren", "dots", "intl", "plain", "e164", "dash")


def styled_phone(rng: random.Random, national: str) -> str:
    return phone_styles(national)[rng.choice(_PHONE_STYLE_NAMES)]


def valid_phone(rng: random.Random, area_codes: tuple[str, ...], taken: set[str]) -> str:
    """A number libphonenumber accepts for the region; never a fictional 555 exchange."""
    while True:
        exchange = rng.randint(200, 999)
        if exchange == 555 or exchange % 100 == 11:
            continue
        national = f"{rng.choice(area_codes)}{exchange}{rng.randint(0, 9999):04d}"
        if national in taken:
            continue
        if phonenumbers.is_valid_number(phonenumbers.parse("+1" + national)):
            taken.add(national)
            return national


def _ascii_name(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalpha())


def canonical_email(rng: random.Random, given: str, family: str, taken: set[str]) -> str:
    g, f = _ascii_name(given), _ascii_name(family)
    patterns = (f"{g}.{f}", f"{g}{f}", f"{g[0]}{f}", f"{g}_{f}", f"{g}.{f[0]}", f"{f}.{g}")
    local = rng.choice(patterns)
    domain = rng.choice(EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    n = 2
    while email in taken:
        email = f"{local}{n}@{domain}"
        n += 1
    taken.add(email)
    return email


def styled_email(rng: random.Random, email: str, case_rate: float, space_rate: float) -> str:
    local, domain = email.split("@")
    roll = rng.random()
    if roll < case_rate * 0.6:
        email = f"{local[:1].upper()}{local[1:]}@{domain}"
    elif roll < case_rate:
        email = f"{local}@{domain.upper()}"
    if rng.random() < space_rate:
        email = rng.choice((f" {email}", f"{email} ", f"  {email}"))
    return email


def typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    if rng.random() < 0.5:  # swap two adjacent letters
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :]  # drop a letter


def first_name(rng: random.Random, given: str, nickname: str | None, rate: float) -> str:
    """The formal name, or (at `rate`) the nickname a person gave instead."""
    if nickname and rng.random() < rate:
        return nickname
    return given


def loyalty_text(rng: random.Random, number: int) -> str:
    roll = rng.random()
    if roll < 0.6:
        return f"LOY-{number:06d}"
    if roll < 0.8:
        return str(number)
    return f"loy-{number}"
