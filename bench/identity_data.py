"""Labelled customer records for the identity benchmark.

`generate(n, seed)` returns n customer records as Square, HubSpot and Xero hold them, one row per
record, with the resolver's input columns (`INPUT_COLUMNS`) and the truth kept apart in
`TRUTH_COLUMNS` (`person_id`, `household_id`). People are drawn first (names, mailbox, mobile,
address, birth date, loyalty card, household), then each person gets 1..8 records, and every record
is typed independently with the noise a shop's staff and its customers really produce. The rates
live in `Noise` and are documented in bench/README.md.

Deterministic for a seed; vectorized with numpy except the per-string edits (typos, nicknames),
which touch a few percent of rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench import names
from pipeline.identity.evidence import INPUT_FIELDS

SOURCES = ("square", "hubspot", "xero")
# What resolve_identities reads (CONTRACT.md), in its own order.
INPUT_COLUMNS = ["source", "source_id", *INPUT_FIELDS, "region"]
TRUTH_COLUMNS = ["person_id", "household_id"]

BySource = tuple[float, float, float]  # square, hubspot, xero


@dataclass(frozen=True)
class Noise:
    """Rates of the generator; a rate 'per record' is drawn independently for every record."""

    # How many records one person has (k = 1..8) and in which system.
    records_per_person: tuple[float, ...] = (0.50, 0.27, 0.12, 0.06, 0.03, 0.012, 0.005, 0.003)
    first_source: BySource = (0.70, 0.22, 0.08)
    later_source: BySource = (0.45, 0.35, 0.20)
    # Whether a field is filled in, by source.
    given_present: BySource = (0.90, 0.93, 0.97)
    family_present: BySource = (0.78, 0.88, 0.97)
    email_present: BySource = (0.50, 0.95, 0.85)
    phone_present: BySource = (0.70, 0.40, 0.45)
    loyalty_present: BySource = (0.85, 0.25, 0.0)  # of a loyalty member's records
    address_present: BySource = (0.12, 0.30, 0.60)
    postcode_present: BySource = (0.30, 0.35, 0.50)  # when there is no street address
    birth_present: BySource = (0.12, 0.08, 0.02)
    # A person who gives an email (phone, address) at one till tends to give it at the next: the
    # share of records whose presence follows the person's habit rather than a fresh draw.
    presence_habit: float = 0.5
    # People.
    home_metro: float = 0.80
    loyalty_member: float = 0.30
    has_unit: float = 0.25
    second_email: float = 0.12  # a work or old address, used in `second_email_use` of records
    second_email_use: float = 0.40
    second_phone: float = 0.06
    second_phone_use: float = 0.40
    # Of people with 2+ records: later records carry a new address with a new ZIP (about one
    # American in ten moves each year; a shop's records span years).
    moved: float = 0.12
    # Of people with 2+ records: later records carry a married name, with the same mailbox,
    # phone and birth date as before; hyphenated (old-new) in `renamed_hyphenated` of cases.
    renamed: float = 0.03
    renamed_hyphenated: float = 0.20
    household: float = 0.10  # people who live with another customer of the shop
    household_same_family: float = 0.85
    household_shares_email: float = 0.20  # of households: others type the first member's email
    household_email_use: float = 0.60
    household_shares_phone: float = 0.35  # of households: a landline
    household_phone_use: float = 0.50
    # Of households: a partner or child gives the first member's mobile, so one mobile number
    # stands for two people with different given names.
    household_shares_mobile: float = 0.15
    household_mobile_use: float = 0.35
    # Per record: names.
    nickname: float = 0.12
    initial_only: float = 0.02
    name_typo: float = 0.03  # per name field
    name_swap: float = 0.01
    name_case: float = 0.12
    accent: float = 0.20  # of records of people with a Spanish surname
    # Per record: email, phone, loyalty, address.
    email_typo: float = 0.015
    gmail_variant: float = 0.06  # of gmail records: dots moved or a +tag
    email_case: float = 0.08
    generic_email: BySource = (0.015, 0.005, 0.005)
    # One wrong digit (half of typos), two neighbouring digits swapped (a quarter), both
    # giving another valid number, or a dropped digit (a quarter) that leaves an invalid one.
    phone_typo: float = 0.02
    # Of records with a loyalty number: one digit wrong or two neighbouring digits swapped, so
    # the number may belong to another member.
    loyalty_typo: float = 0.02
    shop_phone: BySource = (0.02, 0.002, 0.0)
    placeholder_phone: BySource = (0.01, 0.002, 0.0)
    address_typo: float = 0.02
    address_case: float = 0.08
    unit_dropped: float = 0.20
    zip_plus4: float = 0.12
    zip_lost_zero: float = 0.25  # of ZIPs starting with 0 (a spreadsheet ate it)
    # Of records with a birth date: day and month swapped (when both could be a month), else
    # the year's last digit off by one.
    birth_typo: float = 0.03


# Noise profiles. `pos` is the default: a till's sparse records (half of Square profiles have no
# email, many carry a name only). `contact` keeps every kind of noise (typos in names and in keys:
# loyalty numbers, phones, emails, birth dates; nicknames, swaps, married names, households
# sharing an inbox, a landline or one member's mobile, moves to a new ZIP, ZIP+4, shop phones,
# generic mailboxes) but the records were taken with contact details, as in a loyalty or CRM
# programme; it shows how the resolver does when the evidence is there to be found.
PROFILES = {
    "pos": Noise(),
    "contact": Noise(
        given_present=(0.98, 0.99, 0.99),
        family_present=(0.96, 0.98, 0.99),
        email_present=(0.85, 0.97, 0.92),
        phone_present=(0.85, 0.70, 0.65),
        address_present=(0.40, 0.50, 0.70),
        postcode_present=(0.60, 0.60, 0.70),
        presence_habit=0.8,
    ),
}


@dataclass
class _People:
    n: int
    given: np.ndarray
    family: np.ndarray
    new_family: np.ndarray
    email: np.ndarray
    email2: np.ndarray
    phone: np.ndarray  # int64, 10 digits
    phone2: np.ndarray
    landline: np.ndarray  # 0 where none
    household_mobile: np.ndarray  # the first member's mobile, for the others; 0 where none
    loyalty: np.ndarray  # 0 where not a member
    birth: np.ndarray  # datetime64[D]
    address: dict[str, np.ndarray]
    address2: dict[str, np.ndarray]
    household: np.ndarray  # -1 where none
    household_email: np.ndarray  # object, None where not shared
    household_email_user: np.ndarray  # bool: not the first member, so may use the shared email
    moved: np.ndarray  # bool
    renamed: np.ndarray  # bool
    habit: dict[str, np.ndarray]  # uniform per person: low means gives the field readily


def generate(n: int, seed: int = 7, noise: Noise | None = None) -> pd.DataFrame:
    """n labelled records: INPUT_COLUMNS then TRUTH_COLUMNS, rows in random order."""
    noise = noise or Noise()
    rng = np.random.default_rng(seed)
    k = _records_per_person(rng, n, noise)
    people = _people(rng, len(k), k, noise)
    person = np.repeat(np.arange(len(k)), k)
    ordinal = np.arange(n) - np.repeat(np.cumsum(k) - k, k)
    # Later records switch to the new address or name from a per-person record onwards.
    switch_at = 1 + (rng.random(len(k)) * np.maximum(k - 1, 0)).astype(np.int64)
    later = ordinal >= switch_at[person]

    source = _sources(rng, ordinal, noise)
    given, family = _names(rng, people, person, later, source, noise)
    columns = {
        "source": np.asarray(SOURCES, dtype=object)[source],
        "source_id": _source_ids(rng, source),
        "email": _emails(rng, people, person, source, noise),
        "phone": _phones(rng, people, person, source, noise),
        "loyalty_id": _loyalty(rng, people, person, source, noise),
        "given_name": given,
        "family_name": family,
    }
    columns["address"], columns["postcode"] = _addresses(rng, people, person, later, source, noise)
    columns["birth_date"] = _birth_dates(rng, people, person, source, noise)
    columns["region"] = np.full(n, "US", dtype=object)
    columns["person_id"] = person
    columns["household_id"] = people.household[person]
    order = rng.permutation(n)
    return pd.DataFrame({name: values[order] for name, values in columns.items()})


# --- people -------------------------------------------------------------------------------------


def _records_per_person(rng: np.random.Generator, n: int, noise: Noise) -> np.ndarray:
    p = np.asarray(noise.records_per_person) / sum(noise.records_per_person)
    mean = float(np.dot(np.arange(1, len(p) + 1), p))
    k = rng.choice(np.arange(1, len(p) + 1), size=int(n / mean * 1.1) + 16, p=p)
    while k.sum() < n:
        k = np.concatenate([k, rng.choice(np.arange(1, len(p) + 1), size=len(k) // 4 + 16, p=p)])
    total = np.cumsum(k)
    last = int(np.searchsorted(total, n))
    k = k[: last + 1].copy()
    k[-1] -= int(total[last] - n)
    return k


def _zipf_choice(rng: np.random.Generator, size: int, n_values: int, offset: float, s: float):
    weights = (np.arange(1, n_values + 1) + offset) ** -s
    return rng.choice(n_values, size=size, p=weights / weights.sum())


def _given_universe() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from nicknames import NickNamer

    top = {n.lower() for n in names.GIVEN_MALE + names.GIVEN_FEMALE}
    tail = sorted(
        name.title()
        for name in NickNamer().nickname_lookup
        if name.isalpha() and 3 <= len(name) <= 11 and name not in top
    )
    return (
        np.asarray(names.GIVEN_MALE, dtype=object),
        np.asarray(names.GIVEN_FEMALE, dtype=object),
        np.asarray(tail, dtype=object),
    )


def _family_universe() -> np.ndarray:
    top = list(dict.fromkeys(names.FAMILY))
    seen = {n.lower() for n in top}
    tail = []
    for root in dict.fromkeys(names.TAIL_ROOTS):
        for suffix in dict.fromkeys(names.TAIL_SUFFIXES):
            name = root + suffix
            if name.lower() not in seen:
                seen.add(name.lower())
                tail.append(name)
    # A fixed shuffle so rank does not follow the alphabet; the same for every seed.
    tail = [tail[i] for i in np.random.default_rng(0).permutation(len(tail))]
    return np.asarray(top + tail, dtype=object)


_GIVEN = _given_universe()
_FAMILY = _family_universe()


def _given_names(rng: np.random.Generator, size: int) -> np.ndarray:
    male, female, tail = _GIVEN
    is_male = rng.random(size) < 0.5
    common = rng.random(size) < 0.82
    out = np.empty(size, dtype=object)
    m = is_male & common
    f = ~is_male & common
    out[m] = male[_zipf_choice(rng, int(m.sum()), len(male), 8, 0.9)]
    out[f] = female[_zipf_choice(rng, int(f.sum()), len(female), 8, 0.9)]
    out[~common] = tail[rng.integers(0, len(tail), int((~common).sum()))]
    return out


def _family_names(rng: np.random.Generator, size: int) -> np.ndarray:
    # Census 2010 shape: Smith ~0.8%, the top ~300 names about a third of people, a long tail.
    return _FAMILY[_zipf_choice(rng, size, len(_FAMILY), 6, 0.8)]


def _per_unique(values: np.ndarray, fn) -> np.ndarray:
    """fn over the distinct values only: names repeat, so this is cheap at any size."""
    codes, uniques = pd.factorize(values)
    return np.asarray([fn(u) for u in uniques], dtype=object)[codes]


def _ascii_lower(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower()) or "x"


def _two_digits(values: np.ndarray) -> np.ndarray:
    return np.char.zfill((values % 100).astype("U2"), 2).astype(object)


def _choose(rng: np.random.Generator, size: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=size, p=w / w.sum())


def _mailboxes(rng, given, family, birth_year, work: bool) -> tuple[np.ndarray, np.ndarray]:
    size = len(given)
    g, f = _per_unique(given, _ascii_lower), _per_unique(family, _ascii_lower)
    initial_g, initial_f = _per_unique(g, lambda v: v[0]), _per_unique(f, lambda v: v[0])
    middle = np.asarray(list("abcdefghijklmnoprstw"), dtype=object)[rng.integers(0, 20, size)]
    number_kind = rng.random(size)
    numbers = np.where(
        number_kind < 0.5,
        _two_digits(birth_year),
        np.where(
            number_kind < 0.7,
            birth_year.astype("U4").astype(object),
            rng.integers(1, 1000, size).astype("U3").astype(object),
        ),
    ).astype(object)
    handle = np.asarray(names.HANDLE_WORDS, dtype=object)[
        rng.integers(0, len(names.HANDLE_WORDS), size)
    ]
    formats = [
        (lambda m: g[m] + "." + f[m], 0.24),
        (lambda m: g[m] + f[m], 0.12),
        (lambda m: initial_g[m] + f[m], 0.12),
        (lambda m: g[m] + "_" + f[m], 0.04),
        (lambda m: g[m] + initial_f[m], 0.04),
        (lambda m: g[m] + "." + f[m] + numbers[m], 0.07),
        (lambda m: g[m] + f[m] + numbers[m], 0.10),
        (lambda m: g[m] + numbers[m], 0.06),
        (lambda m: f[m] + g[m], 0.03),
        (lambda m: g[m] + "." + middle[m] + "." + f[m], 0.03),
        (lambda m: handle[m] + numbers[m], 0.10),
        (lambda m: initial_g[m] + initial_f[m] + numbers[m], 0.05),
    ]
    which = _choose(rng, size, [w for _, w in formats])
    local = np.empty(size, dtype=object)
    for i, (build, _) in enumerate(formats):
        local[which == i] = build(which == i)
    consumer = [d for d, _ in names.EMAIL_DOMAINS]
    shares = [w for _, w in names.EMAIL_DOMAINS]
    work_share = 0.85 if work else 1 - sum(shares)
    scale = (1 - work_share) / sum(shares)
    domain_pick = _choose(rng, size, [s * scale for s in shares] + [work_share])
    domain = np.asarray([*consumer, ""], dtype=object)[domain_pick]
    is_work = domain_pick == len(consumer)
    words = np.asarray(names.WORK_WORDS, dtype=object)
    kinds = np.asarray(names.WORK_KINDS, dtype=object)
    domain[is_work] = (
        words[rng.integers(0, len(words), int(is_work.sum()))]
        + kinds[rng.integers(0, len(kinds), int(is_work.sum()))]
        + ".com"
    )
    gmail = domain == "gmail.com"
    local[gmail] = [v.replace("_", ".") for v in local[gmail]]
    return local, domain


def _unique_emails(rng, local: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """Mailboxes are unique: a second John Smith at gmail gets a number. Earlier rows win.

    Unique as the provider delivers: Gmail ignores dots, so john.smith@ and johnsmith@ are one
    mailbox and cannot belong to two people.
    """
    local = local.copy()
    while True:
        email = local + "@" + domain
        delivered = np.where(
            domain == "gmail.com", np.char.replace(local.astype(str), ".", ""), local
        )
        dup = pd.Series(delivered + "@" + domain, dtype=object).duplicated().to_numpy()
        if not dup.any():
            return email
        local[dup] = local[dup] + rng.integers(1, 100, int(dup.sum())).astype("U2").astype(object)


def _phone_numbers(rng: np.random.Generator, home: np.ndarray) -> np.ndarray:
    size = len(home)
    area = np.where(
        home,
        np.asarray(names.HOME_AREA_CODES)[rng.integers(0, len(names.HOME_AREA_CODES), size)],
        np.asarray(names.NATIONAL_AREA_CODES)[
            rng.integers(0, len(names.NATIONAL_AREA_CODES), size)
        ],
    ).astype(np.int64)
    exchange = rng.integers(200, 1000, size)
    bad = (exchange % 100 == 11) | (exchange == 555)
    exchange[bad] += 1
    return area * 10_000_000 + exchange * 10_000 + rng.integers(0, 10_000, size)


def _dedupe_numbers(rng, numbers: np.ndarray) -> np.ndarray:
    numbers = numbers.copy()
    while True:
        dup = pd.Series(numbers).duplicated().to_numpy() & (numbers > 0)
        if not dup.any():
            return numbers
        numbers[dup] = numbers[dup] // 10_000 * 10_000 + rng.integers(0, 10_000, int(dup.sum()))


def _address_parts(rng: np.random.Generator, home: np.ndarray, noise: Noise) -> dict:
    size = len(home)
    streets = np.asarray(list(dict.fromkeys(names.STREETS)), dtype=object)
    ordinals = np.asarray([_ordinal(i) for i in range(1, 100)], dtype=object)
    numbered = rng.random(size) < 0.25
    street = np.where(
        numbered,
        ordinals[_zipf_choice(rng, size, len(ordinals), 2, 0.9)],
        streets[rng.integers(0, len(streets), size)],
    ).astype(object)
    house = np.clip(np.round(rng.lognormal(6.3, 1.3, size)), 1, 29999).astype(np.int64)
    unit_number = np.where(
        rng.random(size) < 0.6,
        rng.integers(1, 40, size) * 100 + rng.integers(1, 20, size),
        rng.integers(1, 30, size),
    )
    letters = np.asarray(list("ABCD"), dtype=object)[rng.integers(0, 4, size)]
    unit = unit_number.astype("U5").astype(object) + np.where(rng.random(size) < 0.2, letters, "")
    zips = np.where(
        home,
        np.asarray(names.HOME_ZIPS, dtype=object)[rng.integers(0, len(names.HOME_ZIPS), size)],
        np.char.zfill(rng.integers(1001, 99951, size).astype("U5"), 5).astype(object),
    ).astype(object)
    return {
        "house": house,
        "direction": np.where(
            rng.random(size) < 0.2, rng.integers(0, len(names.DIRECTIONS), size), -1
        ),
        "street": street,
        "suffix": _choose(rng, size, [w for _, _, w in names.STREET_SUFFIXES]),
        "unit_kind": _choose(rng, size, [0.75, 0.15, 0.10]),
        "unit": np.where(rng.random(size) < noise.has_unit, unit, None),
        "zip": zips,
        "plus4": np.char.zfill(rng.integers(1, 10_000, size).astype("U4"), 4).astype(object),
    }


def _other_zip(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """`new`, except where it equals `old`: there the next ZIP (a move is to a new ZIP)."""
    home = {z: i for i, z in enumerate(names.HOME_ZIPS)}
    out = new.copy()
    same = np.flatnonzero(new == old)
    out[same] = [
        names.HOME_ZIPS[(home[z] + 1) % len(names.HOME_ZIPS)] if z in home else f"{int(z) + 1:05d}"
        for z in new[same]
    ]
    return out


def _ordinal(i: int) -> str:
    suffix = "th" if 10 <= i % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(i % 10, "th")
    return f"{i}{suffix}"


def _people(rng: np.random.Generator, size: int, k: np.ndarray, noise: Noise) -> _People:
    given = _given_names(rng, size)
    family = _family_names(rng, size)
    home = rng.random(size) < noise.home_metro
    year = np.clip(np.round(rng.normal(1980, 14, size)), 1935, 2007).astype(np.int64)
    birth = (
        (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        + rng.integers(0, 365, size).astype("timedelta64[D]")
    ).astype("datetime64[D]")

    # Households: consecutive members of a random ordering; the first member is the anchor whose
    # address (and family name, landline, email) the others share.
    household = np.full(size, -1, dtype=np.int64)
    anchor = np.arange(size)
    members = rng.permutation(size)[: int(size * noise.household)]
    sizes = _choose(rng, len(members) // 2 + 1, [0.75, 0.17, 0.08]) + 2
    bounds = np.cumsum(sizes)
    bounds = bounds[bounds <= len(members)]
    starts = np.concatenate([[0], bounds[:-1]]) if len(bounds) else np.zeros(0, dtype=np.int64)
    group_of = np.searchsorted(bounds, np.arange(bounds[-1] if len(bounds) else 0), side="right")
    in_household = members[: len(group_of)]
    household[in_household] = group_of
    anchor[in_household] = members[starts[group_of]]
    follower = anchor != np.arange(size)

    same_family = follower & (rng.random(size) < noise.household_same_family)
    family[same_family] = family[anchor[same_family]]
    home[follower] = home[anchor[follower]]

    local, domain = _mailboxes(rng, given, family, year, work=False)
    local2, domain2 = _mailboxes(rng, given, family, year, work=True)
    both = _unique_emails(rng, np.concatenate([local, local2]), np.concatenate([domain, domain2]))
    email, email2 = both[:size], both[size:]
    has_email2 = rng.random(size) < noise.second_email
    email2 = np.where(has_email2, email2, None)

    n_households = int(household.max()) + 1
    shares_email = rng.random(n_households) < noise.household_shares_email
    shares_phone = rng.random(n_households) < noise.household_shares_phone
    in_hh = household >= 0
    household_email = np.full(size, None, dtype=object)
    sharing = in_hh & shares_email[np.where(in_hh, household, 0)]
    household_email[sharing] = email[anchor[sharing]]

    phones = _dedupe_numbers(rng, _phone_numbers(rng, np.concatenate([home, home, home])))
    phone, phone2, landline = phones[:size], phones[size : 2 * size], phones[2 * size :].copy()
    phone2 = np.where(rng.random(size) < noise.second_phone, phone2, 0)
    landline_owner = in_hh & shares_phone[np.where(in_hh, household, 0)]
    landline = np.where(landline_owner, landline[anchor], 0)
    shares_mobile = rng.random(n_households) < noise.household_shares_mobile
    mobile_user = follower & shares_mobile[np.where(in_hh, household, 0)]
    household_mobile = np.where(mobile_user, phone[anchor], 0)

    address = _address_parts(rng, home, noise)
    for values in address.values():
        values[follower] = values[anchor[follower]]
    address2 = _address_parts(rng, rng.random(size) < noise.home_metro, noise)
    address2["zip"] = _other_zip(address2["zip"], address["zip"])

    loyalty = np.zeros(size, dtype=np.int64)
    is_member = rng.random(size) < noise.loyalty_member
    span = max(1_000_000, 4 * size)
    loyalty[is_member] = 1 + rng.choice(span, size=int(is_member.sum()), replace=False)

    # A married name: a household member marrying the first member takes their family name,
    # anyone else a name of their own; some hyphenate the old and the new.
    new_family = _family_names(rng, size)
    weds_anchor = follower & (family != family[anchor])
    new_family[weds_anchor] = family[anchor[weds_anchor]]
    hyphen = rng.random(size) < noise.renamed_hyphenated
    new_family[hyphen] = family[hyphen] + "-" + new_family[hyphen]

    multi = k >= 2
    return _People(
        n=size,
        given=given,
        family=family,
        new_family=new_family,
        email=email,
        email2=email2,
        phone=phone,
        phone2=phone2,
        landline=landline,
        household_mobile=household_mobile,
        loyalty=loyalty,
        birth=birth,
        address=address,
        address2=address2,
        household=household,
        household_email=household_email,
        household_email_user=follower,
        moved=multi & (rng.random(size) < noise.moved),
        renamed=multi & (rng.random(size) < noise.renamed) & (new_family != family),
        habit={field: rng.random(size) for field in ("email", "phone", "address")},
    )


# --- records ------------------------------------------------------------------------------------


def _by_source(rates: BySource, source: np.ndarray) -> np.ndarray:
    return np.asarray(rates)[source]


def _present(rng, people: _People, field: str, person, rates: BySource, source, noise: Noise):
    """Marginal rate by source as given; within a person, presence is correlated."""
    n = len(person)
    u = np.where(rng.random(n) < noise.presence_habit, people.habit[field][person], rng.random(n))
    return u < _by_source(rates, source)


def _sources(rng: np.random.Generator, ordinal: np.ndarray, noise: Noise) -> np.ndarray:
    first = _choose(rng, len(ordinal), noise.first_source)
    later = _choose(rng, len(ordinal), noise.later_source)
    return np.where(ordinal == 0, first, later)


_ALNUM = np.frombuffer(b"ABCDEFGHJKMNPQRSTVWXYZ0123456789", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _random_strings(rng, size: int, alphabet: np.ndarray, width: int) -> np.ndarray:
    codes = alphabet[rng.integers(0, len(alphabet), (size, width))]
    return codes.view(f"S{width}").ravel().astype(f"U{width}").astype(object)


def _source_ids(rng: np.random.Generator, source: np.ndarray) -> np.ndarray:
    """Ids shaped like each vendor's: Square 26 chars, HubSpot a number, Xero a UUID."""
    n = len(source)
    out = np.empty(n, dtype=object)
    sq = source == 0
    out[sq] = _random_strings(rng, int(sq.sum()), _ALNUM, 26)
    hs = source == 1
    out[hs] = (1001 + rng.permutation(int(hs.sum())) * 7).astype("U12").astype(object)
    xe = source == 2
    raw = _random_strings(rng, int(xe.sum()), _HEX, 32)
    if len(raw):
        s = pd.Series(raw, dtype=object)
        out[xe] = (
            s.str[:8]
            + "-"
            + s.str[8:12]
            + "-4"
            + s.str[13:16]
            + "-a"
            + s.str[17:20]
            + "-"
            + s.str[20:]
        ).to_numpy()
    if len(set(out)) != n:  # 26 random characters: practically never
        raise RuntimeError("source ids collided; use another seed")
    return out


_QWERTY = {
    c: near
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i, c in enumerate(row)
    for near in [row[max(i - 1, 0)] + row[min(i + 1, len(row) - 1)]]
}


def _typo(text: str, u: np.ndarray) -> str:
    """One edit a person makes at a keyboard: a neighbouring key, a dropped, doubled or swapped
    letter. The first letter is rarely wrong."""
    if len(text) < 3:
        return text
    pos = 1 + int(u[1] * (len(text) - 1)) if u[2] > 0.1 else 0
    pos = min(pos, len(text) - 1)
    op = int(u[0] * 4)
    ch = text[pos]
    if op == 0 and ch.lower() in _QWERTY:
        near = _QWERTY[ch.lower()]
        new = near[int(u[2] * 2) % 2]
        if new == ch.lower():
            new = near[0] if near[0] != ch.lower() else near[1]
        new = new.upper() if ch.isupper() else new
        return text[:pos] + new + text[pos + 1 :]
    if op == 1:
        return text[:pos] + text[pos + 1 :]
    if op == 2:
        return text[:pos] + ch + text[pos:]
    pos = min(pos, len(text) - 2)
    return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]


def _apply(rng, values: np.ndarray, mask: np.ndarray, fn) -> None:
    """values[mask] = fn(value, uniforms) for the selected non-null values, in place."""
    mask = mask & pd.notna(values)
    idx = np.flatnonzero(mask)
    u = rng.random((len(idx), 3))
    values[idx] = [fn(v, u[j]) for j, v in enumerate(values[idx])]


def _names(rng, people: _People, person, later, source, noise: Noise):
    n = len(person)
    given = people.given[person].copy()
    family = np.where(
        people.renamed[person] & later, people.new_family[person], people.family[person]
    ).astype(object)

    nick = rng.random(n) < noise.nickname
    _apply(rng, given, nick, _nickname)
    initial = rng.random(n) < noise.initial_only
    dot = rng.random(n) < 0.5
    given[initial] = [
        g[0] + ("." if d else "")
        for g, d in zip(people.given[person][initial], dot[initial], strict=True)
    ]
    accent = rng.random(n) < noise.accent
    _apply(rng, family, accent, lambda v, _u: names.ACCENTED.get(v, v))
    _apply(rng, given, rng.random(n) < noise.name_typo, _typo)
    _apply(rng, family, rng.random(n) < noise.name_typo, _typo)

    swap = rng.random(n) < noise.name_swap
    given[swap], family[swap] = family[swap], given[swap].copy()

    case = rng.random(n) < noise.name_case
    style = rng.integers(0, 3, n)
    for values in (given, family):
        _apply(rng, values, case & (style == 0), lambda v, _u: v.upper())
        _apply(rng, values, case & (style == 1), lambda v, _u: v.lower())
        _apply(rng, values, case & (style == 2), lambda v, _u: f" {v}  ")

    given[rng.random(n) >= _by_source(noise.given_present, source)] = None
    family[rng.random(n) >= _by_source(noise.family_present, source)] = None
    return given, family


def _nickname(name: str, u: np.ndarray) -> str:
    options = names.NICKNAMES.get(name) or _package_nicknames(name)
    if not options:
        return name
    return options[int(u[0] * len(options))]


_PACKAGE_NICKNAMES: dict[str, list[str]] = {}


def _package_nicknames(name: str) -> list[str]:
    if name not in _PACKAGE_NICKNAMES:
        from nicknames import NickNamer

        if not _PACKAGE_NICKNAMES:
            _PACKAGE_NICKNAMES["__namer__"] = NickNamer()  # type: ignore[assignment]
        namer = _PACKAGE_NICKNAMES["__namer__"]
        _PACKAGE_NICKNAMES[name] = sorted(n.title() for n in namer.nicknames_of(name))  # type: ignore[attr-defined]
    return _PACKAGE_NICKNAMES[name]


def _emails(rng, people: _People, person, source, noise: Noise) -> np.ndarray:
    n = len(person)
    email = people.email[person].copy()
    use2 = (rng.random(n) < noise.second_email_use) & pd.notna(people.email2[person])
    email[use2] = people.email2[person][use2]
    shared = (
        people.household_email_user[person]
        & pd.notna(people.household_email[person])
        & (rng.random(n) < noise.household_email_use)
    )
    email[shared] = people.household_email[person][shared]

    gmail = np.asarray([e.endswith("@gmail.com") for e in email])
    _apply(rng, email, gmail & (rng.random(n) < noise.gmail_variant), _gmail_variant)
    _apply(rng, email, rng.random(n) < noise.email_typo, _email_typo)
    _apply(rng, email, rng.random(n) < noise.email_case, _email_case)

    email[~_present(rng, people, "email", person, noise.email_present, source, noise)] = None
    generic = rng.random(n) < _by_source(noise.generic_email, source)
    email[generic] = np.asarray(GENERIC_EMAILS, dtype=object)[
        rng.integers(0, len(GENERIC_EMAILS), int(generic.sum()))
    ]
    return email


# What staff type when the customer gives no email, or the shop's own mailbox.
GENERIC_EMAILS = [
    "none@none.com",
    "noemail@gmail.com",
    "no@email.com",
    "na@na.com",
    "info@shopname.com",
    "noreply@shopname.com",
    "customer@shopname.com",
    "test@test.com",
    "walkin@shopname.com",
]


def _gmail_variant(email: str, u: np.ndarray) -> str:
    local, domain = email.split("@", 1)
    if u[0] < 0.5:
        tags = ["shop", "news", "store", "deals", "rewards"]
        return f"{local}+{tags[int(u[1] * len(tags))]}@{domain}"
    plain = local.replace(".", "")
    if u[1] < 0.5 or len(plain) < 3:
        return f"{plain}@{domain}"
    cut = 1 + int(u[2] * (len(plain) - 1))
    return f"{plain[:cut]}.{plain[cut:]}@{domain}"


def _email_typo(email: str, u: np.ndarray) -> str:
    local, domain = email.split("@", 1)
    typos = names.DOMAIN_TYPOS.get(domain)
    if typos and u[0] < 0.5:
        return f"{local}@{typos[int(u[1] * len(typos))]}"
    return f"{_typo(local, u)}@{domain}"


def _email_case(email: str, u: np.ndarray) -> str:
    if u[0] < 0.4:
        return email.upper() if u[1] < 0.3 else email[:1].upper() + email[1:]
    return f" {email} " if u[1] < 0.5 else email + " "


_PHONE_FORMATS = [
    ("({a}) {e}-{l}", 0.30),
    ("{a}-{e}-{l}", 0.25),
    ("{a}{e}{l}", 0.15),
    ("{a}.{e}.{l}", 0.08),
    ("+1 {a} {e} {l}", 0.07),
    ("+1{a}{e}{l}", 0.08),
    ("1-{a}-{e}-{l}", 0.04),
    ("{a} {e} {l}", 0.03),
]
PLACEHOLDER_PHONES = ["0000000000", "000-000-0000", "(000) 000-0000", "9999999999", "5555555555"]


def _phones(rng, people: _People, person, source, noise: Noise) -> np.ndarray:
    n = len(person)
    number = people.phone[person].copy()
    use2 = (people.phone2[person] > 0) & (rng.random(n) < noise.second_phone_use)
    number[use2] = people.phone2[person][use2]
    home = (people.landline[person] > 0) & (rng.random(n) < noise.household_phone_use)
    number[home] = people.landline[person][home]
    mobile = (people.household_mobile[person] > 0) & (rng.random(n) < noise.household_mobile_use)
    number[mobile] = people.household_mobile[person][mobile]
    # The shop's own number, typed in for walk-ins: one per location, ~1 location per 20k records.
    shop_numbers = _phone_numbers(rng, np.ones(max(1, n // 20_000), dtype=bool))
    shop = rng.random(n) < _by_source(noise.shop_phone, source)
    number[shop] = shop_numbers[rng.integers(0, len(shop_numbers), int(shop.sum()))]

    typo = (rng.random(n) < noise.phone_typo) & ~shop
    kind = rng.random(n)
    # Typos land in the seven digits after the area code, which people say and type fastest.
    number = np.where(typo & (kind < 0.50), _wrong_digit(rng, number, 7), number)
    number = np.where(
        typo & (kind >= 0.50) & (kind < 0.75), _swapped_digits(rng, number, 7), number
    )

    a = (number // 10_000_000).astype("U3").astype(object)
    e = np.char.zfill((number // 10_000 % 1000).astype("U3"), 3).astype(object)
    line = np.char.zfill((number % 10_000).astype("U4"), 4).astype(object)
    which = _choose(rng, n, [w for _, w in _PHONE_FORMATS])
    out = np.empty(n, dtype=object)
    for i, (fmt, _) in enumerate(_PHONE_FORMATS):
        m = which == i
        pieces = re.split(r"(\{[ael]\})", fmt)
        value = np.full(int(m.sum()), "", dtype=object)
        for piece in pieces:
            if piece == "{a}":
                value = value + a[m]
            elif piece == "{e}":
                value = value + e[m]
            elif piece == "{l}":
                value = value + line[m]
            elif piece:
                value = value + piece
        out[m] = value
    # A dropped digit leaves a number no parser will accept.
    _apply(rng, out, typo & (kind >= 0.75), _drop_digit)

    out[~_present(rng, people, "phone", person, noise.phone_present, source, noise)] = None
    placeholder = rng.random(n) < _by_source(noise.placeholder_phone, source)
    out[placeholder] = np.asarray(PLACEHOLDER_PHONES, dtype=object)[
        rng.integers(0, len(PLACEHOLDER_PHONES), int(placeholder.sum()))
    ]
    return out


def _wrong_digit(rng, number: np.ndarray, width) -> np.ndarray:
    """number with one of its `width` lowest digits replaced by another digit."""
    place = 10 ** rng.integers(0, width, len(number))
    old = number // place % 10
    return number + ((old + rng.integers(1, 10, len(number))) % 10 - old) * place


def _swapped_digits(rng, number: np.ndarray, width) -> np.ndarray:
    """number with two neighbouring digits among its `width` lowest swapped (the same number
    where those two digits are equal)."""
    place = 10 ** rng.integers(0, np.maximum(np.asarray(width) - 1, 1), len(number))
    low, high = number // place % 10, number // (place * 10) % 10
    return number + (high - low) * place + (low - high) * place * 10


def _drop_digit(text: str, u: np.ndarray) -> str:
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = digits[len(digits) - 1 - int(u[0] * 7)]
    return text[:i] + text[i + 1 :]


def _loyalty(rng, people: _People, person, source, noise: Noise) -> np.ndarray:
    n = len(person)
    number = people.loyalty[person]
    present = (number > 0) & (rng.random(n) < _by_source(noise.loyalty_present, source))
    typo = present & (rng.random(n) < noise.loyalty_typo)
    width = np.char.str_len(number.astype("U8"))
    typed = np.where(
        rng.random(n) < 0.4,
        _swapped_digits(rng, number, width),
        _wrong_digit(rng, number, width),
    )
    number = np.where(typo & (typed > 0), typed, number)
    styles = _choose(rng, n, [0.50, 0.15, 0.25, 0.10])
    digits = number.astype("U8").astype(object)
    padded = np.char.zfill(number.astype("U8"), 6).astype(object)
    out = np.where(
        styles == 0,
        "LOY-" + padded,
        np.where(styles == 1, "loy" + digits, np.where(styles == 2, digits, "LOY " + digits)),
    ).astype(object)
    out[~present] = None
    return out


def _addresses(rng, people: _People, person, later, source, noise: Noise):
    n = len(person)
    moved = people.moved[person] & later
    parts = {}
    for key, values in people.address.items():
        parts[key] = np.where(moved, people.address2[key][person], values[person])

    suffix_full = np.asarray([s for s, _, _ in names.STREET_SUFFIXES], dtype=object)
    suffix_abbr = np.asarray([a for _, a, _ in names.STREET_SUFFIXES], dtype=object)
    dir_full = np.asarray([d for d, _ in names.DIRECTIONS], dtype=object)
    dir_abbr = np.asarray([a for _, a in names.DIRECTIONS], dtype=object)
    style = _choose(rng, n, [0.50, 0.38, 0.12])  # full word, abbreviation, abbreviation + "."
    suffix = np.where(
        style == 0,
        suffix_full[parts["suffix"]],
        suffix_abbr[parts["suffix"]] + np.where(style == 2, ".", ""),
    ).astype(object)
    has_dir = parts["direction"] >= 0
    direction_idx = np.maximum(parts["direction"], 0)
    direction = np.where(
        style == 0, dir_full[direction_idx], dir_abbr[direction_idx] + np.where(style == 2, ".", "")
    ).astype(object)
    direction = np.where(has_dir, direction + " ", "").astype(object)

    street = parts["street"].astype(object).copy()
    _apply(rng, street, rng.random(n) < noise.address_typo, _typo)
    address = parts["house"].astype("U5").astype(object) + " " + direction + street + " " + suffix

    unit = parts["unit"]
    keep_unit = pd.notna(unit) & (rng.random(n) >= noise.unit_dropped)
    unit_style = rng.integers(0, 4, n)
    kind = parts["unit_kind"]
    unit_full = np.asarray([w for w, _ in names.UNIT_WORDS], dtype=object)[kind]
    unit_abbr = np.asarray([a for _, a in names.UNIT_WORDS], dtype=object)[kind]
    unit_text = np.select(
        [unit_style == 0, unit_style == 1, unit_style == 2],
        [unit_abbr + " ", unit_full + " ", np.full(n, "#", dtype=object)],
        default=unit_abbr + np.where(unit_abbr == unit_full, " ", ". "),
    ).astype(object)
    sep = np.where(rng.random(n) < 0.5, ", ", " ").astype(object)
    with_unit = address[keep_unit] + sep[keep_unit] + unit_text[keep_unit] + unit[keep_unit]
    address[keep_unit] = with_unit
    _apply(rng, address, rng.random(n) < noise.address_case, lambda v, u: v.upper())

    zip5 = parts["zip"].astype(object)
    postcode = np.where(rng.random(n) < noise.zip_plus4, zip5 + "-" + parts["plus4"], zip5).astype(
        object
    )
    lost = (rng.random(n) < noise.zip_lost_zero) & np.asarray([z[0] == "0" for z in zip5])
    postcode[lost] = [p.lstrip("0") for p in postcode[lost]]

    has_address = _present(rng, people, "address", person, noise.address_present, source, noise)
    postcode_rate = np.where(has_address, 0.92, _by_source(noise.postcode_present, source))
    has_postcode = rng.random(n) < postcode_rate
    address[~has_address] = None
    postcode[~has_postcode] = None
    return address, postcode


def _birth_dates(rng, people: _People, person, source, noise: Noise) -> np.ndarray:
    n = len(person)
    style = _choose(rng, n, [0.75, 0.20, 0.05])  # ISO, MM/DD/YYYY, M/D/YYYY
    present = rng.random(n) < _by_source(noise.birth_present, source)
    out = np.full(n, None, dtype=object)
    iso = people.birth[person[present]].astype("U10").astype(object)
    typo = rng.random(len(iso)) < noise.birth_typo
    iso[typo] = [_birth_typo(d) for d in iso[typo]]
    style = style[present]
    formatted = [
        d
        if s == 0
        else f"{d[5:7]}/{d[8:]}/{d[:4]}"
        if s == 1
        else f"{d[5:7].lstrip('0')}/{d[8:].lstrip('0')}/{d[:4]}"
        for d, s in zip(iso.tolist(), style.tolist(), strict=True)
    ]
    out[present] = formatted
    return out


def _birth_typo(iso: str) -> str:
    """Day and month swapped where the day could be a month, else the year's last digit off by
    one. Either may name a day that does not exist (a 29 February), as a typed date can."""
    year, month, day = iso[:4], iso[5:7], iso[8:]
    if int(day) <= 12 and day != month:
        return f"{year}-{day}-{month}"
    last = int(year[3])
    return f"{year[:3]}{last - 1 if last == 9 else last + 1}-{month}-{day}"


# --- what the noise did -------------------------------------------------------------------------


def _phone_key(value) -> str | None:
    if value is None:
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or len(set(digits)) == 1:
        return None
    return digits


def exact_key_reach(frame: pd.DataFrame) -> dict[str, float]:
    """How far exact keys alone can get, from the truth's side.

    Links two records of the same person that share a trimmed, lower-cased email, the 10 digits of
    a phone or a loyalty number, and reports the share of true pairs these links connect and the
    share of people with 2+ records whose records are not all connected. That is roughly the
    recall ceiling of an exact-key resolver (one that never refused a key; a real one refuses
    shared values, so it reaches a little less). Uses its own simple canonical forms, not the
    resolver's, so the benchmark does not grade the code under test with itself.
    """
    reached, split = _reach(frame, _exact_keys(frame))
    return {"exact_key_pair_recall": reached, "people_split_by_exact_keys": split}


def evidence_reach(frame: pd.DataFrame) -> dict[str, float]:
    """How far any identifying field beyond a name can get, from the truth's side.

    As `exact_key_reach`, plus the same street address (USPS-normalized by
    `pipeline.kernel.normalize.address_key`) or the same birth date. A true pair outside this
    reach is
    connected, if at all, by names alone (or names and a postcode): the recall ceiling of a
    resolver that never links two records on a name.
    """
    from pipeline.kernel.normalize import address_key, birth_date_key

    keys = _exact_keys(frame)
    keys["address"] = frame["address"].map(address_key, na_action="ignore")
    keys["birth"] = frame["birth_date"].map(birth_date_key, na_action="ignore")
    reached, _ = _reach(frame, keys)
    return {"evidence_pair_recall": reached}


def _exact_keys(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "email": frame["email"].map(lambda v: None if v is None else v.strip().lower()),
        "phone": frame["phone"].map(_phone_key),
        "loyalty": frame["loyalty_id"].map(
            lambda v: None if v is None else str(int(re.sub(r"\D", "", v) or 0))
        ),
    }


def _reach(frame: pd.DataFrame, keys: dict[str, pd.Series]) -> tuple[float, float]:
    """Share of true pairs that records sharing any key connect; share of people left split."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(frame)
    person = frame["person_id"].to_numpy()
    rows, cols = [], []
    for values in keys.values():
        present = values.notna().to_numpy()
        idx = np.flatnonzero(present)
        group = pd.Series(idx).groupby([person[idx], values.to_numpy()[idx]]).transform("first")
        rows.append(idx)
        cols.append(group.to_numpy())
    rows_a, cols_a = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(rows_a)), (rows_a, cols_a)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    true_pairs = _pairs(pd.Series(person).value_counts().to_numpy())
    reached = _pairs(pd.Series(component).value_counts().to_numpy())
    per_person = pd.DataFrame({"p": person, "c": component}).groupby("p")["c"].nunique()
    sizes = pd.Series(person).value_counts()
    multi = sizes[sizes >= 2].index
    return (
        reached / true_pairs if true_pairs else 1.0,
        float((per_person[multi] > 1).mean()) if len(multi) else 0.0,
    )


def _pairs(counts: np.ndarray) -> int:
    counts = counts.astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())
