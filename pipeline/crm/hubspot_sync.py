"""What Backbone sends to HubSpot, decided without HubSpot: the contact properties a customer's
facts become, which of them changed since the last successful sync, list membership as a diff,
and the task a refund follow-up asks for.

Everything here is pure: the store reads the state, the connector sends, these rules decide.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")

# The unique custom property every synced contact carries: HubSpot upserts by it, so a contact
# is found again whatever happens to its email or name.
ID_PROPERTY = "backbone_customer_id"
# HubSpot's batch endpoints take at most 100 inputs.
BATCH_SIZE = 100
# List membership calls take record ids in one array; HubSpot allows far more, smaller calls keep
# a partial failure small.
MEMBERSHIP_BATCH_SIZE = 250
# How a task names the membership it was created for, so a sync that died between creating it
# and logging it finds it again (tasks have no unique property to upsert by).
_MARKER = re.compile(r"\[backbone:([^\]\s]+)\]")


@dataclass(frozen=True)
class PropertySpec:
    name: str
    label: str
    type: str  # HubSpot property type: string | number | date
    field_type: str  # text | number | date | textarea
    unique: bool = False

    def definition(self) -> dict[str, Any]:
        """The body of HubSpot's create-property call."""
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": "contactinformation",
            "description": "Maintained by Backbone; edits in HubSpot are overwritten.",
        }
        if self.unique:
            body["hasUniqueValue"] = True
        return body


# Fact columns of marts.customer_facts -> the contact property each is sent as.
FACT_PROPERTIES: tuple[tuple[str, PropertySpec], ...] = (
    ("customer_id", PropertySpec(ID_PROPERTY, "Backbone customer id", "string", "text", True)),
    ("visits", PropertySpec("backbone_visits", "Visits", "number", "number")),
    ("first_purchase", PropertySpec("backbone_first_purchase", "First purchase", "date", "date")),
    ("last_purchase", PropertySpec("backbone_last_purchase", "Last purchase", "date", "date")),
    ("gross_sales", PropertySpec("backbone_gross_sales", "Gross sales", "number", "number")),
    ("refunds", PropertySpec("backbone_refunds", "Refunds and returns", "number", "number")),
    ("net_ltv", PropertySpec("backbone_net_ltv", "Net lifetime value", "number", "number")),
    ("vip_tier", PropertySpec("backbone_vip_tier", "VIP tier", "string", "text")),
    ("categories", PropertySpec("backbone_categories", "Categories bought", "string", "textarea")),
    ("brands", PropertySpec("backbone_brands", "Brands bought", "string", "textarea")),
    ("sizes", PropertySpec("backbone_sizes", "Sizes bought", "string", "textarea")),
    # What the customer's open marketing entries suggest (a VIP's complements, new arrivals in
    # their categories and sizes), for the email the list's workflow sends.
    (
        "suggestions",
        PropertySpec("backbone_suggestions", "Suggested for them", "string", "textarea"),
    ),
)
CUSTOM_PROPERTIES: tuple[PropertySpec, ...] = tuple(spec for _, spec in FACT_PROPERTIES)
# Sent only for a customer HubSpot does not know yet: for a contact that exists, the CRM is where
# people keep names and addresses, and Backbone does not overwrite them.
IDENTITY_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("email", "email"),
    ("given_name", "firstname"),
    ("family_name", "lastname"),
    ("phone", "phone"),
)


def property_text(value: Any) -> str:
    """A value as HubSpot stores it: text, exact decimals, ISO dates; nothing is ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        raise TypeError("money and counts reach HubSpot as Decimal or int, never float")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def contact_properties(facts: Mapping[str, Any], *, known_to_hubspot: bool) -> dict[str, str]:
    """The properties one customer's facts row becomes."""
    props = {spec.name: property_text(facts.get(column)) for column, spec in FACT_PROPERTIES}
    if not known_to_hubspot:
        for column, name in IDENTITY_PROPERTIES:
            if facts.get(column):
                props[name] = property_text(facts[column])
    return props


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def changed_properties(desired: Mapping[str, str], synced: Mapping[str, str]) -> dict[str, str]:
    """The properties whose value differs from what HubSpot was last sent (`synced` holds
    digests of the sent values); a value that became blank is sent as '' to clear it. The id
    property goes with any change: the upsert needs it."""
    changed = {
        name: v
        for name, v in desired.items()
        # Blank where nothing was ever sent: HubSpot holds nothing there either.
        if synced.get(name) != digest(v) and (v != "" or name in synced)
    }
    if changed and ID_PROPERTY in desired:
        changed.setdefault(ID_PROPERTY, desired[ID_PROPERTY])
    return changed


def membership_diff(desired: Iterable[str], current: Iterable[str]) -> tuple[list[str], list[str]]:
    """(to add, to remove), each sorted, so calls and their keys are deterministic."""
    want, have = set(desired), set(current)
    return sorted(want - have), sorted(have - want)


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def idempotency_key(target: str, business_id: str, payload: Any) -> str:
    """The same call (target, business, payload) always has the same key."""
    text = json.dumps([target, business_id, payload], sort_keys=True, default=str)
    return f"{target}:{business_id}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def task_marker(member_key: str) -> str:
    return f"[backbone:{member_key}]"


def marker_of(body: str | None) -> str | None:
    found = _MARKER.search(body or "")
    return found.group(1) if found else None


def task_properties(member_key: str, reason: str, due: datetime) -> dict[str, str]:
    """A to-do for staff on the customer's contact: what happened and that they should reach out.
    The reason is the segment's own PII-free text; the marker finds the task after a crash."""
    return {
        "hs_timestamp": due.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "hs_task_subject": "Follow up on a refund",
        "hs_task_body": f"{reason}\n\n{task_marker(member_key)}",
        "hs_task_status": "NOT_STARTED",
        "hs_task_priority": "MEDIUM",
        "hs_task_type": "TODO",
    }
