"""HubSpot Lists v3 for contacts: manual lists, found by id or name, memberships added and
removed by record id (`recordIdsAdded` / `recordIdsRemoved` / `recordIdsMissing`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .clock import rfc3339_ms
from .hubspot_api import CONTACTS_OBJECT_TYPE, after_param, all_contacts, bad, limit_param, router
from .hubspot_state import ContactList, HubSpotState
from .web import ApiError, Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox


def _list_json(lst: ContactList) -> dict:
    return {
        "listId": lst.id,
        "listVersion": lst.version,
        "name": lst.name,
        "objectTypeId": CONTACTS_OBJECT_TYPE,
        "processingType": "MANUAL",
        "processingStatus": "COMPLETE",
        "createdAt": rfc3339_ms(lst.created_ms),
        "updatedAt": rfc3339_ms(lst.updated_ms),
        "size": len(lst.members),
    }


def _get_list(state: HubSpotState, list_id: str) -> ContactList:
    lst = state.lists.get(list_id)
    if lst is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", f"List {list_id} does not exist")
    return lst


@router.add("POST", "/crm/v3/lists", write=True)
def create_list(sb: Sandbox, call: Call) -> Reply:
    body = call.json()
    if not isinstance(body, dict):
        raise bad("Request body must be a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad("name is required")
    if body.get("objectTypeId") != CONTACTS_OBJECT_TYPE:
        raise bad("objectTypeId must be '0-1' (contacts)")
    if body.get("processingType") != "MANUAL":
        raise bad("The sandbox supports processingType 'MANUAL' only")
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        if any(lst.name.lower() == name.lower() for lst in state.lists.values()):
            raise bad(f"A list named '{name}' already exists")
        lst = ContactList(state.new_list_id(), name, sb.now_ms, sb.now_ms)
        state.lists[lst.id] = lst
        reply = Reply(200, {"list": _list_json(lst)})
    return reply


@router.add("GET", "/crm/v3/lists/object-type-id/([^/]+)/name/(.+)")
def get_list_by_name(sb: Sandbox, call: Call) -> Reply:
    object_type, name = call.path_args
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        if object_type == CONTACTS_OBJECT_TYPE:
            for lst in state.lists.values():
                if lst.name.lower() == name.lower():
                    return Reply(200, {"list": _list_json(lst)})
    raise ApiError(404, "OBJECT_NOT_FOUND", f"List with name '{name}' does not exist")


@router.add("GET", "/crm/v3/lists/([0-9]+)")
def get_list(sb: Sandbox, call: Call) -> Reply:
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        return Reply(200, {"list": _list_json(_get_list(state, call.path_args[0]))})


def _record_ids(call: Call) -> list[str]:
    body = call.json()
    if not isinstance(body, list):
        raise bad("Request body must be a JSON array of record ids")
    ids = []
    for value in body:
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not text.isdigit():
            raise bad(f"Invalid record id: {value!r}")
        ids.append(text)
    return list(dict.fromkeys(ids))


@router.add("PUT", "/crm/v3/lists/([0-9]+)/memberships/add", write=True)
def add_members(sb: Sandbox, call: Call) -> Reply:
    """Records that do not exist are `recordIdsMissing`; members already in are ignored. The
    answer's field names are HubSpot's MembershipsUpdateResponse (`recordsIdsAdded` sic)."""
    record_ids = _record_ids(call)
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        lst = _get_list(state, call.path_args[0])
        existing = all_contacts(sb, call)
        missing = [r for r in record_ids if r not in existing]
        fresh = [r for r in record_ids if r in existing and r not in lst.members]
        # The hubspot207 fault: an input HubSpot could not take this time reads as missing.
        refused = [r for r in fresh if sb.reject_input(f"lists/{lst.id}/add", r)]
        added = [r for r in fresh if r not in refused]
        missing = [r for r in record_ids if r in missing or r in refused]
        for r in added:
            lst.members[r] = sb.now_ms
        if added:
            lst.version += 1
            lst.updated_ms = sb.now_ms
    return Reply(
        200, {"recordsIdsAdded": added, "recordIdsRemoved": [], "recordIdsMissing": missing}
    )


@router.add("PUT", "/crm/v3/lists/([0-9]+)/memberships/remove", write=True)
def remove_members(sb: Sandbox, call: Call) -> Reply:
    record_ids = _record_ids(call)
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        lst = _get_list(state, call.path_args[0])
        removed = [r for r in record_ids if r in lst.members]
        missing = [r for r in record_ids if r not in lst.members]
        for r in removed:
            del lst.members[r]
        if removed:
            lst.version += 1
            lst.updated_ms = sb.now_ms
    return Reply(
        200, {"recordsIdsAdded": [], "recordIdsRemoved": removed, "recordIdsMissing": missing}
    )


@router.add("GET", "/crm/v3/lists/([0-9]+)/memberships")
def list_members(sb: Sandbox, call: Call) -> Reply:
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        lst = _get_list(state, call.path_args[0])
        members = sorted(lst.members.items(), key=lambda kv: int(kv[0]))
    after, limit = after_param(call), limit_param(call, 100, 250)
    if after is not None:
        members = [m for m in members if int(m[0]) >= after]
    body: dict[str, Any] = {
        "results": [
            {"recordId": r, "membershipTimestamp": rfc3339_ms(at)} for r, at in members[:limit]
        ],
        "paging": {},
    }
    if len(members) > limit:
        body["paging"] = {"next": {"after": members[limit][0]}}
    return Reply(200, body)
