"""HubSpot tasks (an activity object, 0-27): create one or a batch, read them, search them.

Properties are HubSpot's task properties only (hs_timestamp required; hs_task_subject,
hs_task_body, hs_task_status, hs_task_priority, hs_task_type, hubspot_owner_id): HubSpot keeps
activity properties apart from object properties and lets a portal add custom ones to calls,
not to tasks, so a task has no unique property and no idProperty; a client that must find a
task again (after a crash) marks it, e.g. a token in hs_task_body, and searches for it.
Associations: HubSpot-defined associationTypeId 204 (task_to_contact) and 216 (task_to_deal).
Search: filterGroups (OR of groups, AND within), operators EQ, NEQ, IN, HAS_PROPERTY,
NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN; `associations.contact` filters by contact.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .clock import rfc3339_ms
from .hubspot_api import (
    all_contacts,
    bad,
    batch_inputs,
    batch_reply,
    find_deal,
    list_page,
    requested,
    router,
    shape,
    standard_error,
    state_of,
    wanted_names,
)
from .hubspot_properties import check_properties, invalid, not_valid_message
from .hubspot_state import Task
from .web import ApiError, Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox

TASK_ALWAYS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")
TO_CONTACT, TO_DEAL = 204, 216
_OPERATORS = ("EQ", "NEQ", "IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")
_OPERATORS += ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")
_TOKEN = re.compile(r"[0-9A-Za-z_*]+")
MAX_GROUPS, MAX_FILTERS, MAX_SEARCH = 5, 18, 200


def _record(task: Task) -> dict:
    props = dict(task.properties)
    props["hs_createdate"] = rfc3339_ms(task.created_ms)
    props["hs_lastmodifieddate"] = rfc3339_ms(task.updated_ms)
    props["hs_object_id"] = task.id
    return {
        "id": task.id,
        "properties": props,
        "createdAt": props["hs_createdate"],
        "updatedAt": props["hs_lastmodifieddate"],
        "archived": False,
    }


def _links(sb: Sandbox, call: Call, raw: Any) -> tuple[list[str], list[str], str | None]:
    """(contact ids, deal ids) of a create input's associations, or the reason they fail."""
    if raw is None:
        return [], [], None
    if not isinstance(raw, list):
        return [], [], "associations must be an array"
    contacts, deals = [], []
    known_contacts = None
    for link in raw:
        to = (link.get("to") or {}).get("id") if isinstance(link, dict) else None
        types = link.get("types") if isinstance(link, dict) else None
        if to is None or not isinstance(types, list) or not types:
            return [], [], "Each association needs to.id and types"
        for kind in types:
            type_id = kind.get("associationTypeId") if isinstance(kind, dict) else None
            category = kind.get("associationCategory") if isinstance(kind, dict) else None
            if category != "HUBSPOT_DEFINED" or type_id not in (TO_CONTACT, TO_DEAL):
                return [], [], f"associationTypeId {type_id} ({category}) is not valid for tasks"
            if type_id == TO_CONTACT:
                known_contacts = known_contacts or all_contacts(sb, call)
                if str(to) not in known_contacts:
                    return [], [], f"Contact {to} does not exist"
                contacts.append(str(to))
            elif find_deal(sb, call, str(to)) is None:
                return [], [], f"Deal {to} does not exist"
            else:
                deals.append(str(to))
    return contacts, deals, None


def _create(sb: Sandbox, call: Call, item: Any) -> tuple[dict | None, dict | None]:
    """(the created task, None) or (None, the input's error)."""
    if not isinstance(item, dict):
        return None, standard_error("VALIDATION_ERROR", "Each input must be an object", {})
    state = state_of(sb, call)
    values, problems = check_properties(state.known("tasks"), item.get("properties"))
    if not problems and not values.get("hs_timestamp"):
        problems.append(invalid("hs_timestamp", "hs_timestamp is required", "REQUIRED"))
    if problems:
        context = {"names": [p["name"] for p in problems]}
        return None, standard_error("VALIDATION_ERROR", not_valid_message(problems), context)
    contacts, deals, why = _links(sb, call, item.get("associations"))
    if why is not None:
        return None, standard_error("VALIDATION_ERROR", why, {})
    with state.lock:
        task = Task(state.new_task_id(), sb.now_ms, sb.now_ms, values, contacts, deals)
        state.tasks[task.id] = task
    wanted = list(dict.fromkeys([*values, *TASK_ALWAYS]))
    return shape(_record(task), wanted, state.known("tasks")), None


@router.add("POST", "/crm/v3/objects/(?:tasks|0-27)", write=True)
def create_task(sb: Sandbox, call: Call) -> Reply:
    created, error = _create(sb, call, call.json())
    if error is not None:
        raise bad(error["message"])
    return Reply(201, created)


@router.add("POST", "/crm/v3/objects/(?:tasks|0-27)/batch/create", write=True)
def create_tasks(sb: Sandbox, call: Call) -> Reply:
    results, errors = [], []
    for item in batch_inputs(call):
        created, error = _create(sb, call, item)
        if error is not None:
            errors.append(error)
        else:
            results.append(created)
    return batch_reply(sb, results, errors, ok=201)


def _task_json(sb: Sandbox, call: Call, task: Task, wanted: list[str]) -> dict:
    out = shape(_record(task), wanted, state_of(sb, call).known("tasks"))
    names = [n.strip() for v in call.url.params.get_list("associations") for n in v.split(",")]
    if "contacts" in names and task.contact_ids:
        results = [{"id": c, "type": "task_to_contact"} for c in task.contact_ids]
        out["associations"] = {"contacts": {"results": results}}
    return out


@router.add("GET", "/crm/v3/objects/(?:tasks|0-27)")
def list_tasks(sb: Sandbox, call: Call) -> Reply:
    wanted = requested(call, TASK_ALWAYS, TASK_ALWAYS)
    state = state_of(sb, call)
    with state.lock:
        tasks = list(state.tasks.values())
    shaped = [_task_json(sb, call, t, wanted) for t in tasks]
    return list_page(call, "hubspot.task", shaped, sb.faults)


@router.add("GET", "/crm/v3/objects/(?:tasks|0-27)/([0-9]+)")
def get_task(sb: Sandbox, call: Call) -> Reply:
    state = state_of(sb, call)
    with state.lock:
        task = state.tasks.get(call.path_args[0])
    if task is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", "Object not found. objectId are usually numeric.")
    return Reply(200, _task_json(sb, call, task, requested(call, TASK_ALWAYS, TASK_ALWAYS)))


# -- search --------------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _contains_token(held: str | None, wanted: str) -> bool:
    """The filter's tokens appear in order, adjacent, among the value's tokens; `*` in a token
    is a wildcard (HubSpot's CONTAINS_TOKEN)."""
    if held is None:
        return False
    have, want = _tokens(held), _tokens(wanted)
    if not want:
        return False
    patterns = [re.compile("^" + re.escape(w).replace(r"\*", ".*") + "$") for w in want]
    for start in range(len(have) - len(want) + 1):
        if all(p.match(have[start + i]) for i, p in enumerate(patterns)):
            return True
    return False


def _matches(task: Task, record: dict, flt: dict) -> bool:
    name, op = flt.get("propertyName"), flt.get("operator")
    if name == "associations.contact":
        values = list(task.contact_ids)
    else:
        held = record["properties"].get(name)
        values = [held] if held is not None else []
    value = flt.get("value")
    if op == "EQ":
        return value is not None and str(value) in values
    if op == "NEQ":
        return value is None or str(value) not in values
    if op == "IN":
        return any(str(v) in values for v in flt.get("values") or [])
    if op == "HAS_PROPERTY":
        return bool(values)
    if op == "NOT_HAS_PROPERTY":
        return not values
    found = any(_contains_token(v, str(value or "")) for v in values)
    return found if op == "CONTAINS_TOKEN" else not found


def _filter_groups(body: dict) -> list[list[dict]]:
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise bad(f"filterGroups must be an array of at most {MAX_GROUPS} groups")
    out = []
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise bad("Each filter group needs a filters array")
        for flt in filters:
            if not isinstance(flt, dict) or flt.get("operator") not in _OPERATORS:
                raise bad(f"Unsupported filter: {flt!r} (operators: {list(_OPERATORS)})")
            if not flt.get("propertyName"):
                raise bad("Each filter needs a propertyName")
        out.append(filters)
    if sum(len(g) for g in out) > MAX_FILTERS:
        raise bad(f"A search may have at most {MAX_FILTERS} filters")
    return out


@router.add("POST", "/crm/v3/objects/(?:tasks|0-27)/search")
def search_tasks(sb: Sandbox, call: Call) -> Reply:
    body = call.json()
    if not isinstance(body, dict):
        raise bad("Request body must be a JSON object")
    groups = _filter_groups(body)
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_SEARCH:
        raise bad(f"limit must be between 1 and {MAX_SEARCH}")
    after = str(body.get("after") or "0")
    if not after.isdigit():
        raise bad(f"Invalid 'after' paging token: {after!r}")
    names = body.get("properties") or []
    wanted = wanted_names([str(n) for n in names], TASK_ALWAYS, TASK_ALWAYS)
    state = state_of(sb, call)
    with state.lock:
        tasks = sorted(state.tasks.values(), key=lambda t: int(t.id))
    hits = []
    for task in tasks:
        record = _record(task)
        if not groups or any(all(_matches(task, record, f) for f in g) for g in groups):
            hits.append(shape(record, wanted, state.known("tasks")))
    offset = int(after)
    page = hits[offset : offset + limit]
    answer: dict[str, Any] = {"total": len(hits), "results": page}
    if offset + limit < len(hits):
        answer["paging"] = {"next": {"after": str(offset + limit)}}
    return Reply(200, answer)
