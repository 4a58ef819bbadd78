"""In-memory HubSpot writes for one portal: upserted contacts and manual contact lists.

Generated contacts are immutable; writes live in an overlay applied when contacts are read, so a
Sandbox's writes never leak into another Sandbox (each instance owns its state).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class ContactWrite:
    id: str
    created_ms: int
    updated_ms: int
    properties: dict[str, str | None]
    is_new: bool  # created by an upsert (not one of the generated contacts)


@dataclass
class ContactList:
    id: str
    name: str
    created_ms: int
    updated_ms: int
    version: int = 1
    members: dict[str, int] = field(default_factory=dict)  # record id -> added at (ms)


class HubSpotState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.contacts: dict[str, ContactWrite] = {}
        self.lists: dict[str, ContactList] = {}
        self._next_list_id = 101
        self._new_contacts = 0

    def new_list_id(self) -> str:
        list_id = str(self._next_list_id)
        self._next_list_id += 1
        return list_id

    def new_contact_id(self, highest_existing: int) -> str:
        # Far above the generated ids so a new contact is obviously new; sequential per Sandbox.
        self._new_contacts += 1
        return str(max(highest_existing, 90_000_000) + self._new_contacts)
