"""HubSpot contact writes: POST /crm/v3/objects/contacts/batch/upsert."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .clock import rfc3339_ms
from .hubspot_api import (
    CONTACT_ALWAYS,
    all_contacts,
    bad,
    invalid_values,
    normal_email,
    router,
    shape,
    state_of,
)
from .hubspot_properties import check_properties
from .hubspot_state import ContactWrite
from .web import Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox


@router.add("POST", "/crm/v3/objects/contacts/batch/upsert", write=True)
def upsert_contacts(sb: Sandbox, call: Call) -> Reply:
    body = call.json()
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise bad("inputs must be a non-empty array")
    if len(inputs) > 100:
        raise bad("A batch may contain at most 100 inputs")
    known = state_of(sb, call).known("contacts")
    parsed = []
    seen_ids: set[str] = set()
    for i, item in enumerate(inputs):
        if not isinstance(item, dict):
            raise bad(f"inputs[{i}] must be an object")
        if item.get("idProperty") != "email":
            raise bad(f"inputs[{i}].idProperty must be 'email' (the sandbox's unique property)")
        key = normal_email(item.get("id") if isinstance(item.get("id"), str) else None)
        if "@" not in key:
            raise bad(f"inputs[{i}].id must be an email address")
        if key in seen_ids:
            raise bad(f"Duplicate IDs found in batch input: {key}")
        seen_ids.add(key)
        props = item.get("properties") or {}
        if not isinstance(props, dict):
            raise bad(f"inputs[{i}].properties must be an object")
        values, problems = check_properties(known, props)
        if problems:
            raise invalid_values(problems)
        parsed.append((key, values))

    state = state_of(sb, call)
    results = []
    with state.lock:
        existing = all_contacts(sb, call)
        by_email: dict[str, str] = {}
        for record in sorted(existing.values(), key=lambda r: int(r["id"])):
            by_email.setdefault(normal_email(record["properties"].get("email")), record["id"])
        highest = max((int(i) for i in existing), default=0)
        for key, props in parsed:
            contact_id = by_email.get(key)
            write = state.contacts.get(contact_id or "")
            if contact_id is None:
                contact_id = state.new_contact_id(highest)
                write = ContactWrite(contact_id, sb.now_ms, sb.now_ms, {"email": key}, True)
                state.contacts[contact_id] = write
                by_email[key] = contact_id
                created = True
            else:
                if write is None:
                    write = ContactWrite(contact_id, 0, sb.now_ms, {}, False)
                    state.contacts[contact_id] = write
                created = False
            write.properties.update(props)
            write.updated_ms = sb.now_ms
            results.append((contact_id, props, created))
        merged = all_contacts(sb, call)
    now = rfc3339_ms(sb.now_ms)
    out = []
    for contact_id, props, created in results:
        record = merged[contact_id]
        names = list(dict.fromkeys([*props, "email", *CONTACT_ALWAYS]))
        shaped = shape(record, names, state.known("contacts"))
        shaped["new"] = created
        out.append(shaped)
    return Reply(200, {"status": "COMPLETE", "results": out, "startedAt": now, "completedAt": now})
