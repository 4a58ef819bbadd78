"""In-memory HubSpot writes for one portal: upserted contacts, deal edits, manual contact lists,
custom properties and tasks.

Generated contacts and deals are immutable; writes live in an overlay applied when records are
read, so a Sandbox's writes never leak into another Sandbox (each instance owns its state). The
state is kept across processes, all fields but the lock, by `sandbox/persist.py`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .hubspot_properties import BUILTIN, Prop


@dataclass
class ContactWrite:
    id: str
    created_ms: int
    updated_ms: int
    properties: dict[str, str | None]
    is_new: bool  # created by an upsert (not one of the generated contacts)


@dataclass
class DealWrite:
    id: str
    updated_ms: int
    properties: dict[str, str | None]


@dataclass
class Task:
    id: str
    created_ms: int
    updated_ms: int
    properties: dict[str, str | None]
    contact_ids: list[str] = field(default_factory=list)  # associated via task_to_contact
    deal_ids: list[str] = field(default_factory=list)  # associated via task_to_deal


@dataclass
class ContactList:
    id: str
    name: str
    created_ms: int
    updated_ms: int
    version: int = 1
    members: dict[str, int] = field(default_factory=dict)  # record id -> added at (ms)


@dataclass
class CustomProperty:
    prop: Prop
    created_ms: int


class HubSpotState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.contacts: dict[str, ContactWrite] = {}
        self.deals: dict[str, DealWrite] = {}
        self.tasks: dict[str, Task] = {}
        self.lists: dict[str, ContactList] = {}
        self.properties: dict[str, dict[str, CustomProperty]] = {t: {} for t in BUILTIN}
        # GDPR deletions: contacts gone for good (generated ones included) and the mailboxes a
        # delete by email found no contact for, which HubSpot blocklists.
        self.gdpr_deleted: set[str] = set()
        self.blocklisted_emails: set[str] = set()
        # Bumped by every write that changes contacts: the kept view is current while it matches
        # (sandbox/hubspot_contacts_view.py).
        self.contacts_version = 0
        self._next_list_id = 101
        self._new_contacts = 0
        self._new_tasks = 0

    def known(self, object_type: str) -> dict[str, Prop]:
        """Every property of an object type: HubSpot's own and the ones this portal created."""
        props = {p.name: p for p in BUILTIN[object_type]}
        props.update((name, c.prop) for name, c in self.properties[object_type].items())
        return props

    def new_list_id(self) -> str:
        list_id = str(self._next_list_id)
        self._next_list_id += 1
        return list_id

    def new_contact_id(self, highest_existing: int) -> str:
        # Far above the generated ids so a new contact is obviously new; sequential per Sandbox.
        self._new_contacts += 1
        return str(max(highest_existing, 90_000_000) + self._new_contacts)

    def new_task_id(self) -> str:
        self._new_tasks += 1
        return str(70_000_000_000 + self._new_tasks)
