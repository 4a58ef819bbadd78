"""HubSpot CRM v3 simulator: contacts and deals (read), contact upserts and manual lists (write).

Record shape: {"id", "properties": {...strings or null...}, "createdAt", "updatedAt",
"archived"}; listings page with `after` (the id of the next record, ids ascending) and
`paging.next.link`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import malformed
from .clock import rfc3339_ms
from .crm import Deal
from .hubspot_state import ContactList, ContactWrite, HubSpotState
from .ledger import studio_deals
from .money import decimal_text
from .routing import Router
from .web import ApiError, Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox
    from .faults import Faults

router = Router()

CONTACT_PROPERTIES = (
    "email",
    "firstname",
    "lastname",
    "phone",
    "mobilephone",
    "loyalty_id",
    "hs_email_optout",
    "lifecyclestage",
    "city",
    "zip",
    "createdate",
    "lastmodifieddate",
    "hs_object_id",
)
CONTACT_DEFAULT = (
    "createdate",
    "email",
    "firstname",
    "hs_object_id",
    "lastmodifieddate",
    "lastname",
)
CONTACT_ALWAYS = ("hs_object_id", "createdate", "lastmodifieddate")
WRITABLE_CONTACT_PROPERTIES = frozenset(CONTACT_PROPERTIES) - {
    "createdate",
    "lastmodifieddate",
    "hs_object_id",
}
DEAL_PROPERTIES = (
    "dealname",
    "amount",
    "dealstage",
    "pipeline",
    "closedate",
    "createdate",
    "hs_lastmodifieddate",
    "hs_object_id",
)
DEAL_DEFAULT = (
    "amount",
    "closedate",
    "createdate",
    "dealname",
    "dealstage",
    "hs_lastmodifieddate",
    "hs_object_id",
    "pipeline",
)
DEAL_ALWAYS = ("hs_object_id", "createdate", "hs_lastmodifieddate")
CONTACTS_OBJECT_TYPE = "0-1"
MAX_LIMIT = 100


def _bad(message: str) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message)


# -- reading records -----------------------------------------------------------------------------


def _generated_contacts(sb: Sandbox, call: Call) -> dict[str, dict]:
    out = {}
    for rec in sb.world.pool(call.business.id).hubspot:
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


def all_contacts(sb: Sandbox, call: Call) -> dict[str, dict]:
    """Generated contacts visible now, with this Sandbox's upserts applied, keyed by id."""
    contacts = _generated_contacts(sb, call)
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        for write in state.contacts.values():
            record = contacts.get(write.id)
            if record is None:
                record = contacts[write.id] = {
                    "id": write.id,
                    "properties": dict.fromkeys(CONTACT_PROPERTIES),
                    "createdAt": rfc3339_ms(write.created_ms),
                    "archived": False,
                }
                record["properties"]["createdate"] = record["createdAt"]
                record["properties"]["hs_object_id"] = write.id
            record["properties"].update(write.properties)
            record["properties"]["lastmodifieddate"] = rfc3339_ms(write.updated_ms)
            record["updatedAt"] = rfc3339_ms(write.updated_ms)
    return contacts


def _deal_record(deal: Deal, now_ms: int) -> dict:
    changed, stage = deal.stage_at(now_ms)
    closed = stage in ("closedwon", "closedlost")
    props = {
        "dealname": deal.name,
        "amount": decimal_text(deal.cents),
        "dealstage": stage,
        "pipeline": "default",
        "closedate": rfc3339_ms(changed) if closed else f"{deal.expected_close}T00:00:00.000Z",
        "createdate": rfc3339_ms(deal.created_ms),
        "hs_lastmodifieddate": rfc3339_ms(changed),
        "hs_object_id": deal.id,
    }
    return {
        "id": deal.id,
        "properties": props,
        "createdAt": props["createdate"],
        "updatedAt": props["hs_lastmodifieddate"],
        "archived": False,
    }


def _visible_deals(sb: Sandbox, call: Call) -> list[Deal]:
    if call.business.id != "studio":
        return []
    return [d for d in studio_deals(sb.world, sb.now_ms) if d.created_ms <= sb.now_ms]


def _requested(call: Call, default: tuple[str, ...], always: tuple[str, ...]) -> list[str]:
    names = [n.strip() for v in call.url.params.get_list("properties") for n in v.split(",")]
    names = [n for n in names if n]
    if not names:
        return list(default)
    return list(dict.fromkeys([*names, *always]))


def _shape(record: dict, wanted: list[str], known: tuple[str, ...]) -> dict:
    props = record["properties"]
    shaped = dict(record)
    shaped["properties"] = {n: props.get(n) for n in wanted if n in known}
    return shaped


def _limit(call: Call, default: int = 10, maximum: int = MAX_LIMIT) -> int:
    raw = call.params.get("limit")
    if raw in (None, ""):
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise _bad(f"limit must be a number, got {raw!r}") from None
    if not 1 <= limit <= maximum:
        raise _bad(f"limit must be between 1 and {maximum}")
    return limit


def _after(call: Call) -> int | None:
    raw = call.params.get("after")
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        raise _bad(f"Invalid 'after' paging token: {raw!r}")
    return int(raw)


def _list_page(call: Call, entity: str, records: Iterable[dict], faults: Faults) -> Reply:
    ordered = sorted(records, key=lambda r: int(r["id"]))
    after, limit = _after(call), _limit(call)
    limit = min(limit, faults.page_size or limit)  # the pagesize option caps every page
    faults_malformed = faults.malformed
    if after is not None:
        ordered = [r for r in ordered if int(r["id"]) >= after]
    chunk = ordered[:limit]
    if faults_malformed and after is None:
        chunk = malformed.inject(entity, chunk)
    body: dict[str, Any] = {"results": chunk}
    if len(ordered) > limit:
        nxt = ordered[limit]["id"]
        link = str(call.url.copy_set_param("after", nxt))
        body["paging"] = {"next": {"after": nxt, "link": link}}
    return Reply(200, body)


def _archived(call: Call) -> bool:
    return (call.params.get("archived") or "false").lower() == "true"


@router.add("GET", "/crm/v3/objects/contacts")
def list_contacts(sb: Sandbox, call: Call) -> Reply:
    wanted = _requested(call, CONTACT_DEFAULT, CONTACT_ALWAYS)
    assoc = _association_names(call, ("deals",))
    contacts = [] if _archived(call) else list(all_contacts(sb, call).values())
    links = _contact_deals(sb, call) if assoc else {}
    shaped = []
    for record in contacts:
        out = _shape(record, wanted, CONTACT_PROPERTIES)
        if assoc and links.get(record["id"]):
            out["associations"] = {
                "deals": {
                    "results": [
                        {"id": did, "type": "contact_to_deal"} for did in links[record["id"]]
                    ]
                }
            }
        shaped.append(out)
    return _list_page(call, "hubspot.contact", shaped, sb.faults)


@router.add("GET", "/crm/v3/objects/contacts/([0-9]+)")
def get_contact(sb: Sandbox, call: Call) -> Reply:
    record = all_contacts(sb, call).get(call.path_args[0])
    if record is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", f"Contact {call.path_args[0]} not found")
    return Reply(
        200, _shape(record, _requested(call, CONTACT_DEFAULT, CONTACT_ALWAYS), CONTACT_PROPERTIES)
    )


def _association_names(call: Call, allowed: tuple[str, ...]) -> list[str]:
    names = [n.strip() for v in call.url.params.get_list("associations") for n in v.split(",")]
    return [n for n in names if n in allowed]


def _contact_deals(sb: Sandbox, call: Call) -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    for deal in _visible_deals(sb, call):
        links.setdefault(deal.contact_id, []).append(deal.id)
    return links


@router.add("GET", "/crm/v3/objects/deals")
def list_deals(sb: Sandbox, call: Call) -> Reply:
    wanted = _requested(call, DEAL_DEFAULT, DEAL_ALWAYS)
    assoc = _association_names(call, ("contacts",))
    deals = [] if _archived(call) else _visible_deals(sb, call)
    shaped = []
    for deal in deals:
        out = _shape(_deal_record(deal, sb.now_ms), wanted, DEAL_PROPERTIES)
        if assoc:
            out["associations"] = {
                "contacts": {"results": [{"id": deal.contact_id, "type": "deal_to_contact"}]}
            }
        shaped.append(out)
    return _list_page(call, "hubspot.deal", shaped, sb.faults)


# -- contact upserts -----------------------------------------------------------------------------


def _property_value(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        return value.replace("\x00", "")
    raise _bad(f"Property values were not valid: {name} must be a string")


def _normal_email(value: str | None) -> str:
    return (value or "").strip().lower()


@router.add("POST", "/crm/v3/objects/contacts/batch/upsert", write=True)
def upsert_contacts(sb: Sandbox, call: Call) -> Reply:
    body = call.json()
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise _bad("inputs must be a non-empty array")
    if len(inputs) > 100:
        raise _bad("A batch may contain at most 100 inputs")
    parsed = []
    seen_ids: set[str] = set()
    for i, item in enumerate(inputs):
        if not isinstance(item, dict):
            raise _bad(f"inputs[{i}] must be an object")
        if item.get("idProperty") != "email":
            raise _bad(f"inputs[{i}].idProperty must be 'email' (the sandbox's unique property)")
        key = _normal_email(item.get("id") if isinstance(item.get("id"), str) else None)
        if "@" not in key:
            raise _bad(f"inputs[{i}].id must be an email address")
        if key in seen_ids:
            raise _bad(f"Duplicate IDs found in batch input: {key}")
        seen_ids.add(key)
        props = item.get("properties") or {}
        if not isinstance(props, dict):
            raise _bad(f"inputs[{i}].properties must be an object")
        unknown = sorted(set(props) - WRITABLE_CONTACT_PROPERTIES)
        if unknown:
            raise _bad(f"Property values were not valid: unknown or read-only {unknown}")
        parsed.append((key, {k: _property_value(k, v) for k, v in props.items()}))

    state = sb.hubspot_state(call.business.id)
    results = []
    with state.lock:
        existing = all_contacts(sb, call)
        by_email: dict[str, str] = {}
        for record in sorted(existing.values(), key=lambda r: int(r["id"])):
            by_email.setdefault(_normal_email(record["properties"].get("email")), record["id"])
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
        shaped = _shape(record, names, CONTACT_PROPERTIES)
        shaped["new"] = created
        out.append(shaped)
    return Reply(200, {"status": "COMPLETE", "results": out, "startedAt": now, "completedAt": now})


# -- lists ---------------------------------------------------------------------------------------


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
        raise _bad("Request body must be a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _bad("name is required")
    if body.get("objectTypeId") != CONTACTS_OBJECT_TYPE:
        raise _bad("objectTypeId must be '0-1' (contacts)")
    if body.get("processingType") != "MANUAL":
        raise _bad("The sandbox supports processingType 'MANUAL' only")
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        if any(lst.name.lower() == name.lower() for lst in state.lists.values()):
            raise _bad(f"A list named '{name}' already exists")
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
        raise _bad("Request body must be a JSON array of record ids")
    ids = []
    for value in body:
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not text.isdigit():
            raise _bad(f"Invalid record id: {value!r}")
        ids.append(text)
    return list(dict.fromkeys(ids))


@router.add("PUT", "/crm/v3/lists/([0-9]+)/memberships/add", write=True)
def add_members(sb: Sandbox, call: Call) -> Reply:
    record_ids = _record_ids(call)
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        lst = _get_list(state, call.path_args[0])
        existing = all_contacts(sb, call)
        added = [r for r in record_ids if r in existing and r not in lst.members]
        missing = [r for r in record_ids if r not in existing]
        for r in added:
            lst.members[r] = sb.now_ms
        if added:
            lst.version += 1
            lst.updated_ms = sb.now_ms
    return Reply(200, {"recordIdsAdded": added, "recordIdsMissing": missing})


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
    return Reply(200, {"recordIdsRemoved": removed, "recordIdsMissing": missing})


@router.add("GET", "/crm/v3/lists/([0-9]+)/memberships")
def list_members(sb: Sandbox, call: Call) -> Reply:
    state = sb.hubspot_state(call.business.id)
    with state.lock:
        lst = _get_list(state, call.path_args[0])
        members = sorted(lst.members.items(), key=lambda kv: int(kv[0]))
    after, limit = _after(call), _limit(call, default=100, maximum=250)
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
