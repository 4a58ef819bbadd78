"""The people behind the customer records, and the mess each system keeps about them.

Every business has a fixed pool of persons. Each person may appear in Square (customers), HubSpot
(contacts) and Xero (contacts), each copy independently degraded the way real systems are:
case and whitespace in emails, phone formats, nicknames and typos, missing values, the shop's own
phone typed in by a cashier, true duplicates. The mapping back to the person is kept as ground
truth so identity resolution can be measured.

The pool is anchored to a fixed epoch (not to the sandbox clock) so the same person has the same
records whatever `now` is; records and their later versions simply become visible as the clock
passes their timestamps.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate

from . import ids
from .clock import DAY_MS, HOUR_MS, msdate_time, rfc3339_ms, to_ms
from .mess import (
    canonical_email,
    first_name,
    loyalty_text,
    phone_styles,
    styled_email,
    styled_phone,
    typo,
    valid_phone,
)
from .names import COMPANY_NAMES, FAMILY_NAMES, GIVEN_NAMES, REGIONS, Region
from .profiles import PROFILES
from .world import BUSINESSES, Business

PEOPLE_EPOCH_MS = to_ms(datetime(2024, 7, 1, tzinfo=UTC))
PEOPLE_SPAN_MS = 820 * DAY_MS  # first contacts spread over ~27 months from the epoch

POOL_SIZE = {"cafe": 600, "boutique": 500, "studio": 150}
LOYALTY_RATE = {"cafe": 0.55, "boutique": 0.3, "studio": 0.2}
SQUARE_RATE = {"cafe": 0.88, "boutique": 0.85, "studio": 0.92}
HUBSPOT_RATE = 0.6
XERO_RATE = {"cafe": 0.0, "boutique": 0.1, "studio": 0.5}


@dataclass(frozen=True)
class Person:
    index: int
    key: str  # ground-truth identity, e.g. "cafe:P0042"
    given: str
    nickname: str | None
    family: str
    email: str  # canonical, lower-case
    phone: str  # canonical 10-digit US national number
    home_location: str
    loyalty: int | None
    first_seen_ms: int
    weight: float  # how often this person shops


@dataclass(frozen=True)
class Versioned:
    """A record as it looked from each version time onwards; invisible before the first."""

    id: str
    versions: tuple[tuple[int, dict], ...]  # (visible from ms, body) ascending

    @property
    def created_ms(self) -> int:
        return self.versions[0][0]

    def at(self, now_ms: int) -> tuple[int, dict] | None:
        current = None
        for when, body in self.versions:
            if when > now_ms:
                break
            current = (when, body)
        return current


@dataclass(frozen=True)
class Company:
    name: str
    person_index: int
    xero_contact_id: str


@dataclass
class Picker:
    """Weighted choice of Square customers that already existed at a given instant."""

    created: list[int] = field(default_factory=list)  # ascending
    customer_ids: list[str] = field(default_factory=list)
    person_indexes: list[int] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    def pick(self, rng: random.Random, at_ms: int) -> tuple[str, int] | None:
        n = bisect.bisect_right(self.created, at_ms)
        if n == 0:
            return None
        i = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[n - 1], 0, n - 1)
        return self.customer_ids[i], self.person_indexes[i]


@dataclass
class PeoplePool:
    business: Business
    persons: list[Person]
    square: list[Versioned]
    hubspot: list[Versioned]  # body: {"properties": {...}} (all properties, strings or None)
    xero: list[Versioned]  # body: the Xero Contact object
    truth: dict[tuple[str, str], str]
    pickers: dict[str, Picker]  # location id -> picker
    hubspot_by_person: dict[int, tuple[str, int]]  # person -> (contact id, created ms)
    xero_by_person: dict[int, tuple[str, str, int]]  # person -> (ContactID, Name, created ms)
    companies: list[Company]


class _Builder:
    """Builds one business's pool; the generator is consumed in a fixed order."""

    def __init__(self, business: Business, seed: int) -> None:
        self.b = business
        self.rng = random.Random(f"{seed}:{business.id}:people")
        self.truth: dict[tuple[str, str], str] = {}

    def build(self) -> PeoplePool:
        persons = self._persons()
        companies_people = self._company_people(persons)
        square = self._square(persons)
        forced = {idx for _, idx in companies_people}
        hubspot, hubspot_by_person = self._hubspot(persons, forced)
        xero, xero_by_person, companies = self._xero(persons, companies_people)
        return PeoplePool(
            business=self.b,
            persons=persons,
            square=square,
            hubspot=hubspot,
            xero=xero,
            truth=self.truth,
            pickers=self._pickers(persons, square),
            hubspot_by_person=hubspot_by_person,
            xero_by_person=xero_by_person,
            companies=companies,
        )

    # -- persons -------------------------------------------------------------------------------

    def _persons(self) -> list[Person]:
        rng, b = self.rng, self.b
        size = POOL_SIZE[b.id]
        emails: set[str] = set()
        phones: set[str] = set()
        loyalty_numbers = rng.sample(range(1000, 100000), size)
        homes = [loc.id for loc in b.locations]
        # The demo's two-shop boutique keeps its 60/40 split; a scaled chain (sandbox/scale.py)
        # spreads its customers evenly.
        home_weights = [0.6, 0.4] if len(homes) == 2 else [1.0] * len(homes)
        persons = []
        for i in range(size):
            given, nickname = rng.choice(GIVEN_NAMES)
            family = rng.choice(FAMILY_NAMES)
            home = rng.choices(homes, home_weights)[0]
            region = REGIONS[home]
            persons.append(
                Person(
                    index=i,
                    key=f"{b.id}:P{i:04d}",
                    given=given,
                    nickname=nickname,
                    family=family,
                    email=canonical_email(rng, given, family, emails),
                    phone=valid_phone(rng, region.area_codes, phones),
                    home_location=home,
                    loyalty=loyalty_numbers[i] if rng.random() < LOYALTY_RATE[b.id] else None,
                    first_seen_ms=PEOPLE_EPOCH_MS + rng.randrange(PEOPLE_SPAN_MS),
                    weight=min(rng.paretovariate(1.6), 25.0),
                )
            )
        return persons

    def _company_people(self, persons: list[Person]) -> list[tuple[str, int]]:
        if self.b.id != "studio":
            return []
        chosen = self.rng.sample(range(len(persons)), len(COMPANY_NAMES))
        return list(zip(COMPANY_NAMES, chosen, strict=True))

    def _region(self, person: Person) -> Region:
        return REGIONS[person.home_location]

    # -- Square customers ----------------------------------------------------------------------

    def _square(self, persons: list[Person]) -> list[Versioned]:
        rng, b = self.rng, self.b
        shop_phone = b.main_location.phone
        records: list[Versioned] = []
        for p in persons:
            if rng.random() >= SQUARE_RATE[b.id]:
                continue
            records.append(self._square_record(p, p.first_seen_ms, shop_phone, duplicate=False))
            if rng.random() < 0.02:  # the same person signed up again at the till
                later = p.first_seen_ms + rng.randint(30, 400) * DAY_MS
                records.append(self._square_record(p, later, shop_phone, duplicate=True))
        return records

    def _square_record(
        self, p: Person, created: int, shop_phone: str, duplicate: bool
    ) -> Versioned:
        rng = self.rng
        customer_id = ids.upper32(rng, 26)
        body: dict = {
            "id": customer_id,
            "created_at": rfc3339_ms(created),
            "updated_at": rfc3339_ms(created),
            "given_name": first_name(rng, p.given, p.nickname, 0.25 if duplicate else 0.08),
            "family_name": typo(rng, p.family) if rng.random() < 0.03 else p.family,
        }
        missing_email = rng.random() < (0.5 if duplicate else 0.2)
        if not missing_email:
            body["email_address"] = styled_email(rng, p.email, 0.25, 0.12)
        if rng.random() >= 0.07:
            body["phone_number"] = styled_phone(rng, p.phone)
        roll = rng.random()
        if roll < 0.006:  # cashier typed the shop's own number
            body["phone_number"] = rng.choice((shop_phone, phone_styles(shop_phone[2:])["paren"]))
        elif roll < 0.012:
            body["email_address"] = f"info@{self.b.domain}"
        elif roll < 0.018:
            body["phone_number"] = "0000000000"
        if p.loyalty is not None and not duplicate:
            body["reference_id"] = f"LOY-{p.loyalty:06d}"
        if rng.random() < 0.5:
            region = self._region(p)
            body["address"] = {
                "locality": region.city,
                "administrative_district_level_1": region.state,
                "postal_code": rng.choice(region.zips),
                "country": "US",
            }
        body["preferences"] = {"email_unsubscribed": rng.random() < 0.04}
        body["creation_source"] = (
            "LOYALTY" if "reference_id" in body else rng.choice(("DIRECTORY", "INSTANT_PROFILE"))
        )
        body["version"] = 1
        versions = [(created, body)]
        if rng.random() < 0.15:  # edited later: email captured, phone re-typed
            later = created + rng.randint(1, 600) * DAY_MS + rng.randrange(DAY_MS)
            v2 = dict(body, updated_at=rfc3339_ms(later), version=2)
            if "email_address" not in v2:
                v2["email_address"] = styled_email(rng, p.email, 0.25, 0.12)
            else:
                v2["phone_number"] = styled_phone(rng, p.phone)
            versions.append((later, v2))
        self.truth[("square", customer_id)] = p.key
        return Versioned(customer_id, tuple(versions))

    def _pickers(self, persons: list[Person], square: list[Versioned]) -> dict[str, Picker]:
        pickers: dict[str, Picker] = {}
        by_person = {rec.id: self.truth[("square", rec.id)] for rec in square}
        index_of = {p.key: p.index for p in persons}
        ordered = sorted(square, key=lambda r: (r.created_ms, r.id))
        affinity = PROFILES[self.b.id].home_location_affinity
        for loc in self.b.locations:
            picker = Picker()
            weights = []
            for rec in ordered:
                person = persons[index_of[by_person[rec.id]]]
                w = person.weight * (affinity if person.home_location == loc.id else 1.0)
                picker.created.append(rec.created_ms)
                picker.customer_ids.append(rec.id)
                picker.person_indexes.append(person.index)
                weights.append(w)
            picker.cumulative = list(accumulate(weights))
            pickers[loc.id] = picker
        return pickers

    # -- HubSpot contacts ----------------------------------------------------------------------

    def _hubspot(
        self, persons: list[Person], forced: set[int]
    ) -> tuple[list[Versioned], dict[int, tuple[str, int]]]:
        rng = self.rng
        drafts = []
        for p in persons:
            if rng.random() >= HUBSPOT_RATE and p.index not in forced:
                continue
            created = max(PEOPLE_EPOCH_MS, p.first_seen_ms + rng.randint(-30, 90) * DAY_MS)
            created += rng.randrange(HOUR_MS)
            drafts.append((created, p, self._hubspot_properties(p)))
            props = drafts[-1][2]
            roll = rng.random()
            if roll < 0.008:  # a shared inbox entered as the contact's email
                props["email"] = f"info@{self.b.domain}"
            elif roll < 0.014:
                props["phone"] = phone_styles(self.b.main_location.phone[2:])["paren"]
        drafts.sort(key=lambda d: (d[0], d[1].index))
        records: list[Versioned] = []
        by_person: dict[int, tuple[str, int]] = {}
        next_id = 12001
        for created, p, props in drafts:
            contact_id = str(next_id)
            next_id += rng.randint(1, 9)  # HubSpot ids grow with creation but are not dense
            v1 = dict(props, createdate=rfc3339_ms(created), lastmodifieddate=rfc3339_ms(created))
            v1["hs_object_id"] = contact_id
            versions = [(created, {"properties": v1})]
            if rng.random() < 0.3:  # lifecycle moved on / opted out later
                later = created + rng.randint(1, 500) * DAY_MS + rng.randrange(DAY_MS)
                v2 = dict(v1, lastmodifieddate=rfc3339_ms(later))
                if rng.random() < 0.15:
                    v2["hs_email_optout"] = "true"
                else:
                    v2["lifecyclestage"] = "customer"
                versions.append((later, {"properties": v2}))
            records.append(Versioned(contact_id, tuple(versions)))
            by_person[p.index] = (contact_id, created)
            self.truth[("hubspot", contact_id)] = p.key
        return records, by_person

    def _hubspot_properties(self, p: Person) -> dict[str, str | None]:
        rng = self.rng
        region = self._region(p)
        email = styled_email(rng, p.email, 0.12, 0.08) if rng.random() < 0.96 else None
        has_mobile = rng.random() < 0.3
        return {
            "email": email,
            "firstname": first_name(rng, p.given, p.nickname, 0.1),
            "lastname": typo(rng, p.family) if rng.random() < 0.02 else p.family,
            "phone": styled_phone(rng, p.phone) if rng.random() < 0.9 else None,
            "mobilephone": styled_phone(rng, p.phone) if has_mobile else None,
            "loyalty_id": (
                loyalty_text(rng, p.loyalty)
                if p.loyalty is not None and rng.random() < 0.7
                else None
            ),
            "hs_email_optout": "true" if rng.random() < 0.05 else "false",
            "lifecyclestage": rng.choices(("customer", "lead", "subscriber"), (55, 25, 20))[0],
            "city": region.city if rng.random() < 0.7 else None,
            "zip": rng.choice(region.zips) if rng.random() < 0.7 else None,
        }

    # -- Xero contacts -------------------------------------------------------------------------

    def _xero(
        self, persons: list[Person], companies_people: list[tuple[str, int]]
    ) -> tuple[list[Versioned], dict[int, tuple[str, str, int]], list[Company]]:
        rng, b = self.rng, self.b
        records: list[Versioned] = []
        by_person: dict[int, tuple[str, str, int]] = {}
        names: set[str] = set()
        for p in persons:
            if rng.random() >= XERO_RATE[b.id]:
                continue
            created = p.first_seen_ms + rng.randint(0, 120) * DAY_MS + rng.randrange(DAY_MS)
            first = first_name(rng, p.given, p.nickname, 0.1)
            name = _unique_name(f"{first} {p.family}", names)
            contact_id = ids.stable_uuid(b.xero_tenant_id, "contact", p.key)
            body = self._xero_contact(contact_id, name, first, p, created)
            records.append(Versioned(contact_id, ((created, body),)))
            by_person[p.index] = (contact_id, name, created)
            self.truth[("xero", contact_id)] = p.key
        companies = []
        for company, idx in companies_people:
            p = persons[idx]
            created = p.first_seen_ms + rng.randrange(DAY_MS)
            contact_id = ids.stable_uuid(b.xero_tenant_id, "company", company)
            body = self._xero_contact(contact_id, company, p.given, p, created)
            records.append(Versioned(contact_id, ((created, body),)))
            companies.append(Company(company, idx, contact_id))
            self.truth[("xero", contact_id)] = p.key
        # Not people: the payment processor (payouts) and the business itself (cash deposits).
        for key, name in (("square", "Square"), ("self", b.name)):
            contact_id = ids.stable_uuid(b.xero_tenant_id, "contact", key)
            body = {
                "ContactID": contact_id,
                "ContactStatus": "ACTIVE",
                "Name": name,
                "EmailAddress": "",
                "BankAccountDetails": "",
                "Addresses": [],
                "Phones": [],
                "UpdatedDateUTC": msdate_time(PEOPLE_EPOCH_MS),
                "ContactGroups": [],
                "IsSupplier": key == "square",
                "IsCustomer": False,
                "DefaultCurrency": "USD",
                "ContactPersons": [],
                "HasAttachments": False,
                "HasValidationErrors": False,
            }
            records.append(Versioned(contact_id, ((PEOPLE_EPOCH_MS, body),)))
        return records, by_person, companies

    def _xero_contact(
        self, contact_id: str, name: str, first: str, p: Person, created: int
    ) -> dict:
        rng = self.rng
        region = self._region(p)
        national = p.phone
        if rng.random() < 0.5:  # Xero's split fields
            default_phone = {
                "PhoneType": "DEFAULT",
                "PhoneNumber": f"{national[3:6]}-{national[6:]}",
                "PhoneAreaCode": national[:3],
                "PhoneCountryCode": "1",
            }
        else:  # everything typed into the number field
            default_phone = {
                "PhoneType": "DEFAULT",
                "PhoneNumber": styled_phone(rng, national),
                "PhoneAreaCode": "",
                "PhoneCountryCode": "",
            }
        blank = {"PhoneNumber": "", "PhoneAreaCode": "", "PhoneCountryCode": ""}
        return {
            "ContactID": contact_id,
            "ContactStatus": "ACTIVE",
            "Name": name,
            "FirstName": first,
            "LastName": p.family,
            "EmailAddress": styled_email(rng, p.email, 0.2, 0.05) if rng.random() < 0.9 else "",
            "BankAccountDetails": "",
            "Addresses": [
                {
                    "AddressType": "STREET",
                    "City": region.city,
                    "Region": region.state,
                    "PostalCode": rng.choice(region.zips),
                    "Country": "USA",
                },
                {"AddressType": "POBOX"},
            ],
            "Phones": [
                default_phone,
                {"PhoneType": "DDI", **blank},
                {"PhoneType": "FAX", **blank},
                {"PhoneType": "MOBILE", **blank},
            ],
            "UpdatedDateUTC": msdate_time(created),
            "ContactGroups": [],
            "IsSupplier": False,
            "IsCustomer": True,
            "DefaultCurrency": "USD",
            "ContactPersons": [],
            "HasAttachments": False,
            "HasValidationErrors": False,
        }


def _unique_name(name: str, taken: set[str]) -> str:
    # Xero refuses two contacts with the same name, so bookkeepers add a suffix.
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name} ({n})"
        n += 1
    taken.add(candidate)
    return candidate


def build_pool(business_id: str, seed: int) -> PeoplePool:
    return _Builder(BUSINESSES[business_id], seed).build()
