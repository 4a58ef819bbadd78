"""The contacts a portal shows now, kept between requests.

Rebuilding them on every request (every generated contact's state at the clock, then every
upsert laid over it) made a first contact sync cost contacts x requests: 2,250 s at 50
locations (docs/benchmarks.md). Generated contacts and the clock never change within a Sandbox,
so the generated part is built once; the merged view is kept per portal and replaced, never
changed in place, whenever a write changes contacts: one re-merged record per upserted input,
a full rebuild after a GDPR delete or a reload of the state from its file (a new HubSpotState).
Readers holding an older view keep a consistent snapshot.

Lookups by a unique property (find_by) use an index built once per view and property and
carried, updated, into the next view: scanning every contact per batch input was the other
quadratic cost of a first sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .clock import rfc3339_ms
from .hubspot_properties import BUILTIN
from .hubspot_state import ContactWrite, HubSpotState

if TYPE_CHECKING:
    from .app import Sandbox

CONTACT_PROPERTIES = tuple(p.name for p in BUILTIN["contacts"])


def normal_email(value: str | None) -> str:
    return (value or "").strip().lower()


def _key(name: str, held: str | None) -> str | None:
    if held is None:
        return None
    return normal_email(held) if name == "email" else held


class SortedRecords(list):
    """Records already in ascending id order (list_page does not sort them again)."""


class Contacts(dict):
    """Records by id (treat as read-only: a view is shared by every reader of its version)."""

    def __init__(self, records: dict[str, dict]) -> None:
        super().__init__(records)
        self.index: dict[str, dict[str, set[str]]] = {}  # property -> value -> ids holding it
        self.max_generated: int | None = None  # highest id not created by an upsert
        self._in_id_order: SortedRecords | None = None

    def in_id_order(self) -> SortedRecords:
        """The records by ascending id, sorted once per view (listings page through them)."""
        if self._in_id_order is None:
            self._in_id_order = SortedRecords(sorted(self.values(), key=lambda r: int(r["id"])))
        return self._in_id_order

    def holder(self, name: str, value: str) -> str | None:
        """The lowest id whose `name` holds `value` (emails compared normalised)."""
        by_value = self.index.get(name)
        if by_value is None:
            by_value = self.index[name] = {}
            for contact_id, record in self.items():
                key = _key(name, record["properties"].get(name))
                if key is not None:
                    by_value.setdefault(key, set()).add(contact_id)
        ids = by_value.get(_key(name, value) or "")
        return min(ids, key=int) if ids else None


def _generated(sb: Sandbox, business_id: str) -> dict[str, dict]:
    out = {}
    for rec in sb.world.pool(business_id).hubspot:
        seen = rec.at(sb.now_ms)
        if seen is None:
            continue
        props = seen[1]["properties"]
        out[rec.id] = {
            "id": rec.id,
            "properties": dict(props),
            "createdAt": props["createdate"],
            "updatedAt": props["lastmodifieddate"],
            "archived": False,
        }
    return out


def _merged(base: dict | None, write: ContactWrite) -> dict:
    """A new record: the generated one (if any) with the write laid over it."""
    if base is None:
        created = rfc3339_ms(write.created_ms)
        record = {
            "id": write.id,
            "properties": dict.fromkeys(CONTACT_PROPERTIES),
            "createdAt": created,
            "archived": False,
        }
        record["properties"]["createdate"] = created
        record["properties"]["hs_object_id"] = write.id
    else:
        record = {**base, "properties": dict(base["properties"])}
    record["properties"].update(write.properties)
    record["properties"]["lastmodifieddate"] = rfc3339_ms(write.updated_ms)
    record["updatedAt"] = rfc3339_ms(write.updated_ms)
    return record


def _slot(sb: Sandbox, business_id: str) -> dict:
    # Lost to the Sandbox's LRU only means a rebuild; the generated part is its own entry.
    return sb.cached(("hubspot-contacts-view", business_id), dict)


def contacts_now(sb: Sandbox, business_id: str, state: HubSpotState) -> Contacts:
    """Generated contacts visible now, with this Sandbox's upserts applied, keyed by id."""
    slot = _slot(sb, business_id)
    with state.lock:
        view = slot.get("view")
        if (
            view is not None
            and slot.get("state") is state
            and slot.get("version") == _version(state)
        ):
            return view
        base = sb.cached(("hubspot-generated", business_id), lambda: _generated(sb, business_id))
        records = dict(base)
        for write in state.contacts.values():
            records[write.id] = _merged(base.get(write.id), write)
        for gone in getattr(state, "gdpr_deleted", ()):  # state files saved before GDPR deletes
            records.pop(gone, None)
        view = Contacts(records)
        slot.update(state=state, version=_version(state), view=view)
        return view


def _version(state: HubSpotState) -> int:
    return getattr(state, "contacts_version", 0)  # state files saved before the counter


def contact_written(sb: Sandbox, business_id: str, state: HubSpotState, contact_id: str) -> None:
    """After `state.contacts[contact_id]` changed: the next view, with that record re-merged."""
    with state.lock:
        slot = _slot(sb, business_id)
        old = slot.get("view") if slot.get("state") is state else None
        fresh = old is not None and slot.get("version") == _version(state)
        state.contacts_version = _version(state) + 1
        if not fresh:
            return  # no current view to carry forward: the next read rebuilds
        base = sb.cached(("hubspot-generated", business_id), lambda: _generated(sb, business_id))
        before = old.get(contact_id)
        record = _merged(base.get(contact_id), state.contacts[contact_id])
        view = Contacts(old)
        view[contact_id] = record
        view.max_generated = old.max_generated
        for name, by_value in old.index.items():
            by_value = view.index[name] = dict(by_value)
            was = _key(name, before["properties"].get(name)) if before else None
            now = _key(name, record["properties"].get(name))
            if was == now:
                continue
            if was is not None:
                by_value[was] = by_value[was] - {contact_id}
                if not by_value[was]:
                    del by_value[was]
            if now is not None:
                by_value[now] = by_value.get(now, set()) | {contact_id}
        slot.update(version=_version(state), view=view)


def contacts_removed(state: HubSpotState) -> None:
    """After contacts went (a GDPR delete): the next read rebuilds the view."""
    with state.lock:
        state.contacts_version = _version(state) + 1
