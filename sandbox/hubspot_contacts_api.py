"""HubSpot contact writes and batch reads: batch/upsert (by `idProperty`: email or any property
created with hasUniqueValue), batch/update (by record id) and batch/read (by record id or a
unique property), and the GDPR delete (gdpr-delete).

Each input stands alone: an invalid one (bad email, unknown or read-only property, a value the
property's type refuses, a unique value another contact holds) fails by itself and the answer is
207 Multi-Status with the written ones in `results` and the failed ones in `errors`. A duplicate
id within one batch fails the whole batch (400), as HubSpot does. The `hubspot207=N` fault makes
every Nth input fail once with a retryable CONFLICT (sandbox/app.py `reject_input`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hubspot_api import (
    CONTACT_ALWAYS,
    CONTACT_DEFAULT,
    all_contacts,
    bad,
    batch_inputs,
    batch_reply,
    find_by,
    normal_email,
    router,
    shape,
    standard_error,
    state_of,
    wanted_names,
)
from .hubspot_contacts_view import Contacts, contact_written, contacts_removed
from .hubspot_properties import Prop, check_properties, check_value, invalid, not_valid_message
from .hubspot_state import ContactWrite, HubSpotState
from .web import ApiError, Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox

_INJECTED = "The record was being updated by another request; retry this input."


def _id_property(known: dict[str, Prop], name: Any) -> Prop:
    prop = known.get(name) if isinstance(name, str) else None
    if prop is None or not (prop.unique or name in ("email", "hs_object_id")):
        raise bad(f"idProperty '{name}' is not a unique property of contacts")
    return prop


def _problem(key: str, problems: list[dict]) -> dict:
    names = [p["name"] for p in problems]
    return standard_error(
        "VALIDATION_ERROR", not_valid_message(problems), {"ids": [key], "names": names}
    )


def _conflicts(
    contacts: dict[str, dict], known: dict[str, Prop], contact_id: str | None, values: dict
) -> dict | None:
    """The error for a unique value (email or a hasUniqueValue property) another contact holds."""
    for name, value in values.items():
        prop = known[name]
        if value in (None, "") or not (prop.unique or name == "email"):
            continue
        holder = find_by(contacts, prop, value)
        if holder is not None and holder != contact_id:
            if name == "email":
                message = f"Contact already exists. Existing ID: {holder}"
            else:
                message = f"A contact with {name} '{value}' already exists. Existing ID: {holder}"
            return standard_error("CONFLICT", message, {"ids": [holder]})
    return None


def _apply(
    sb: Sandbox,
    business_id: str,
    state: HubSpotState,
    contacts: dict,
    contact_id: str | None,
    values: dict,
) -> str:
    """Write validated values to a contact (a new one when `contact_id` is None); its id."""
    if contact_id is None:
        contact_id = state.new_contact_id(_highest_generated(state, contacts))
        state.contacts[contact_id] = ContactWrite(contact_id, sb.now_ms, sb.now_ms, {}, True)
    write = state.contacts.setdefault(contact_id, ContactWrite(contact_id, 0, sb.now_ms, {}, False))
    write.properties.update(values)
    write.updated_ms = sb.now_ms
    contact_written(sb, business_id, state, contact_id)
    return contact_id


def _highest_generated(state: HubSpotState, contacts: dict) -> int:
    """The highest id of a contact no upsert created: once per view (it changes only when
    contacts go, and then the view is rebuilt)."""
    known = contacts.max_generated if isinstance(contacts, Contacts) else None
    if known is None:
        made = {i for i, w in state.contacts.items() if w.is_new}
        known = max((int(i) for i in contacts if i not in made), default=0)
        if isinstance(contacts, Contacts):
            contacts.max_generated = known
    return known


def _answer(sb: Sandbox, call: Call, done: list[tuple[str, dict, bool | None]]) -> list[dict]:
    state = state_of(sb, call)
    merged = all_contacts(sb, call)
    known = state.known("contacts")
    out = []
    for contact_id, values, created in done:
        names = list(dict.fromkeys([*values, "email", *CONTACT_ALWAYS]))
        shaped = shape(merged[contact_id], names, known)
        if created is not None:
            shaped["new"] = created
        out.append(shaped)
    return out


@router.add("POST", "/crm/v3/objects/contacts/batch/upsert", write=True)
def upsert_contacts(sb: Sandbox, call: Call) -> Reply:
    inputs = batch_inputs(call)
    state = state_of(sb, call)
    errors: list[dict] = []
    done: list[tuple[str, dict, bool | None]] = []
    with state.lock:
        known = state.known("contacts")
        seen: set[tuple[str, str]] = set()
        for i, item in enumerate(inputs):
            if not isinstance(item, dict):
                raise bad(f"inputs[{i}] must be an object")
            prop = _id_property(known, item.get("idProperty"))
            raw_key = item.get("id")
            key = raw_key.strip() if isinstance(raw_key, str) else str(raw_key or "")
            if prop.name == "email":
                key = normal_email(key)
            if (prop.name, key) in seen:
                raise bad(f"Duplicate IDs found in batch input: {key}")
            seen.add((prop.name, key))
        contacts = all_contacts(sb, call)
        for item in inputs:
            prop = known[item["idProperty"]]
            key = str(item.get("id") or "").strip()
            key = normal_email(key) if prop.name == "email" else key
            _, key_problem = check_value(prop, key) if key else (None, None)
            values, problems = check_properties(known, item.get("properties") or {})
            if not key:
                problems.append(invalid(prop.name, "id is required", "REQUIRED"))
            elif key_problem is not None:
                problems.append(key_problem)
            if problems:
                errors.append(_problem(key, problems))
                continue
            contact_id = find_by(contacts, prop, key)
            if contact_id is None:  # a new record holds the value it was looked up by
                values.setdefault(prop.name, key)
            conflict = _conflicts(contacts, known, contact_id, values)
            if conflict is not None:
                errors.append(conflict)
                continue
            if sb.reject_input("contacts/upsert", f"{prop.name}:{key}"):
                errors.append(standard_error("CONFLICT", _INJECTED, {"ids": [key]}))
                continue
            created = contact_id is None
            contact_id = _apply(sb, call.business.id, state, contacts, contact_id, values)
            contacts = all_contacts(sb, call)  # later inputs see this one's unique values
            done.append((contact_id, values, created))
        results = _answer(sb, call, done)
    return batch_reply(sb, results, errors)


@router.add("POST", "/crm/v3/objects/contacts/batch/update", write=True)
def update_contacts(sb: Sandbox, call: Call) -> Reply:
    inputs = batch_inputs(call)
    state = state_of(sb, call)
    errors: list[dict] = []
    done: list[tuple[str, dict, bool | None]] = []
    with state.lock:
        known = state.known("contacts")
        contacts = all_contacts(sb, call)
        ids = [str(item.get("id") or "") if isinstance(item, dict) else "" for item in inputs]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise bad(f"Duplicate IDs found in batch input: {dupes}")
        for contact_id, item in zip(ids, inputs, strict=True):
            if contact_id not in contacts:
                message = "Object not found. objectId are usually numeric."
                errors.append(standard_error("OBJECT_NOT_FOUND", message, {"ids": [contact_id]}))
                continue
            values, problems = check_properties(known, item.get("properties"))
            if problems:
                errors.append(_problem(contact_id, problems))
                continue
            conflict = _conflicts(contacts, known, contact_id, values)
            if conflict is not None:
                errors.append(conflict)
                continue
            _apply(sb, call.business.id, state, contacts, contact_id, values)
            contacts = all_contacts(sb, call)
            done.append((contact_id, values, None))
        results = _answer(sb, call, done)
    return batch_reply(sb, results, errors)


@router.add("POST", "/crm/v3/objects/contacts/batch/read")
def read_contacts(sb: Sandbox, call: Call) -> Reply:
    """By record id, or by `idProperty` (a unique property); ids not found are 207 errors."""
    body = call.json()
    inputs = batch_inputs(call)
    state = state_of(sb, call)
    known = state.known("contacts")
    prop = _id_property(known, body.get("idProperty") or "hs_object_id")
    names = body.get("properties") or []
    if not isinstance(names, list):
        raise bad("properties must be an array of property names")
    wanted = wanted_names([str(n) for n in names], CONTACT_DEFAULT, CONTACT_ALWAYS)
    contacts = all_contacts(sb, call)
    results, missing = [], []
    for item in inputs:
        key = str(item.get("id") or "") if isinstance(item, dict) else ""
        contact_id = find_by(contacts, prop, key)
        if contact_id is None:
            missing.append(key)
        else:
            results.append(shape(contacts[contact_id], wanted, known))
    errors = []
    if missing:
        message = "Could not get some CONTACT objects, they may be deleted or not exist."
        errors.append(standard_error("OBJECT_NOT_FOUND", message, {"ids": missing}))
    return batch_reply(sb, results, errors)


@router.add("POST", "/crm/v3/objects/contacts/gdpr-delete", write=True)
def gdpr_delete_contact(sb: Sandbox, call: Call) -> Reply:
    """HubSpot's "Permanently delete a contact (GDPR-compliant)": body {"objectId": id} or
    {"objectId": email, "idProperty": "email"}; 204 with no body. The contact and its
    associations (list memberships, task links) go; an email that matches no contact is
    blocklisted instead; an unknown record id is 404."""
    body = call.json()
    if not isinstance(body, dict) or not str(body.get("objectId") or "").strip():
        raise bad("objectId is required")
    key = str(body["objectId"]).strip()
    state = state_of(sb, call)
    with state.lock:
        prop = _id_property(state.known("contacts"), body.get("idProperty") or "hs_object_id")
        contact_id = find_by(all_contacts(sb, call), prop, key)
        if contact_id is None:
            if prop.name != "email":
                raise ApiError(404, "OBJECT_NOT_FOUND", f"Object not found. objectId: {key}")
            state.blocklisted_emails.add(normal_email(key))
            return Reply(204, None, raw_text="")
        state.gdpr_deleted.add(contact_id)
        state.contacts.pop(contact_id, None)
        contacts_removed(state)
        for members in (lst.members for lst in state.lists.values()):
            members.pop(contact_id, None)
        for task in state.tasks.values():
            task.contact_ids = [c for c in task.contact_ids if c != contact_id]
    return Reply(204, None, raw_text="")
