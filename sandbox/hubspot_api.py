"""HubSpot CRM v3 simulator: the shared router and helpers, and the record reads (contacts and
deals, list and by id). Writes register on the same router from their own modules:
hubspot_properties_api (custom properties), hubspot_contacts_api (batch upsert and read),
hubspot_deals_api (PATCH and batch update), hubspot_lists_api, hubspot_tasks_api.

Record shape: {"id", "properties": {...strings or null...}, "createdAt", "updatedAt",
"archived"}; listings page with `after` (the id of the next record, ids ascending) and
`paging.next.link`. Batch endpoints answer 200 when every input succeeded and 207 Multi-Status
with `errors` (HubSpot's StandardError items) and `numErrors` when some failed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import malformed
from .clock import rfc3339_ms
from .crm import Deal
from .hubspot_contacts_view import Contacts, SortedRecords, contacts_now, normal_email
from .hubspot_properties import BUILTIN, Prop, not_valid_message
from .hubspot_state import HubSpotState
from .ledger import studio_deals
from .money import decimal_text
from .routing import Router
from .web import ApiError, Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox
    from .faults import Faults

router = Router()

CONTACT_DEFAULT = (
    "createdate",
    "email",
    "firstname",
    "hs_object_id",
    "lastmodifieddate",
    "lastname",
)
CONTACT_ALWAYS = ("hs_object_id", "createdate", "lastmodifieddate")
DEAL_PROPERTIES = tuple(p.name for p in BUILTIN["deals"])
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
MAX_BATCH = 100


def bad(message: str) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message)


def invalid_values(problems: list[dict[str, Any]]) -> ApiError:
    return bad(not_valid_message(problems))


def state_of(sb: Sandbox, call: Call) -> HubSpotState:
    return sb.hubspot_state(call.business.id)


# -- batch answers -------------------------------------------------------------------------------


def standard_error(category: str, message: str, context: dict[str, list[str]]) -> dict[str, Any]:
    """One failed input of a batch, in HubSpot's StandardError shape."""
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }


def batch_reply(sb: Sandbox, results: list[dict], errors: list[dict], ok: int = 200) -> Reply:
    """200 (or `ok`, e.g. 201 for creates) when all inputs succeeded; 207 Multi-Status with
    `errors` and `numErrors` beside the successful `results` when some failed."""
    now = rfc3339_ms(sb.now_ms)
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": now,
        "completedAt": now,
    }
    if not errors:
        return Reply(ok, body)
    body["numErrors"] = len(errors)
    body["errors"] = errors
    return Reply(207, body)


def batch_inputs(call: Call) -> list[Any]:
    body = call.json()
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise bad("inputs must be a non-empty array")
    if len(inputs) > MAX_BATCH:
        raise bad(f"A batch may contain at most {MAX_BATCH} inputs")
    return inputs


# -- reading records -----------------------------------------------------------------------------


def all_contacts(sb: Sandbox, call: Call) -> Contacts:
    """Generated contacts visible now, with this Sandbox's upserts applied, keyed by id; kept
    between requests (sandbox/hubspot_contacts_view.py), so read-only."""
    return contacts_now(sb, call.business.id, state_of(sb, call))


def find_by(contacts: dict[str, dict], prop: Prop, value: str) -> str | None:
    """The id of the contact whose `prop` holds `value` (emails compare case-insensitively);
    the lowest id when several do."""
    if prop.name == "hs_object_id":
        return value if value in contacts else None
    if isinstance(contacts, Contacts):
        return contacts.holder(prop.name, value)
    wanted = normal_email(value) if prop.name == "email" else value
    for record in sorted(contacts.values(), key=lambda r: int(r["id"])):
        held = record["properties"].get(prop.name)
        if held is not None and (normal_email(held) if prop.name == "email" else held) == wanted:
            return record["id"]
    return None


def deal_record(deal: Deal, now_ms: int, state: HubSpotState) -> dict:
    changed, stage = deal.stage_at(now_ms)
    closed = stage in ("closedwon", "closedlost")
    props: dict[str, str | None] = {
        "dealname": deal.name,
        "amount": decimal_text(deal.cents),
        "dealstage": stage,
        "pipeline": "default",
        "closedate": rfc3339_ms(changed) if closed else f"{deal.expected_close}T00:00:00.000Z",
        "createdate": rfc3339_ms(deal.created_ms),
        "hs_lastmodifieddate": rfc3339_ms(changed),
        "hs_object_id": deal.id,
    }
    edit = state.deals.get(deal.id)
    if edit is not None:  # an API edit overrides the generated value until the next one
        props.update(edit.properties)
        props["hs_lastmodifieddate"] = rfc3339_ms(max(changed, edit.updated_ms))
    return {
        "id": deal.id,
        "properties": props,
        "createdAt": props["createdate"],
        "updatedAt": props["hs_lastmodifieddate"],
        "archived": False,
    }


def visible_deals(sb: Sandbox, call: Call) -> list[Deal]:
    if call.business.id != "studio":
        return []
    return [d for d in studio_deals(sb.world, sb.now_ms) if d.created_ms <= sb.now_ms]


def requested(call: Call, default: tuple[str, ...], always: tuple[str, ...]) -> list[str]:
    names = [n.strip() for v in call.url.params.get_list("properties") for n in v.split(",")]
    return wanted_names([n for n in names if n], default, always)


def wanted_names(names: list[str], default: tuple[str, ...], always: tuple[str, ...]) -> list[str]:
    if not names:
        return list(default)
    return list(dict.fromkeys([*names, *always]))


def shape(record: dict, wanted: list[str], known: Iterable[str]) -> dict:
    """The record with only the wanted properties; names the portal does not know are left out,
    as HubSpot ignores unknown names in `properties`."""
    props = record["properties"]
    names = set(known)
    shaped = dict(record)
    shaped["properties"] = {n: props.get(n) for n in wanted if n in names}
    return shaped


def _limit(call: Call, default: int = 10, maximum: int = MAX_LIMIT) -> int:
    raw = call.params.get("limit")
    if raw in (None, ""):
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise bad(f"limit must be a number, got {raw!r}") from None
    if not 1 <= limit <= maximum:
        raise bad(f"limit must be between 1 and {maximum}")
    return limit


def _int_id(record: dict) -> int:
    return int(record["id"])


def after_param(call: Call) -> int | None:
    raw = call.params.get("after")
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        raise bad(f"Invalid 'after' paging token: {raw!r}")
    return int(raw)


def list_page(
    call: Call,
    entity: str,
    records: Iterable[dict],
    faults: Faults,
    present: Callable[[dict], dict] | None = None,
) -> Reply:
    """One page of `records` by ascending id; `present` (if given) shapes only the page's
    records, and records already a list in id order are not sorted again."""
    ordered = records if isinstance(records, SortedRecords) else sorted(records, key=_int_id)
    after, limit = after_param(call), _limit(call)
    limit = min(limit, faults.page_size or limit)  # the pagesize option caps every page
    if after is not None:
        ordered = ordered[bisect_left(ordered, after, key=_int_id) :]
    chunk = ordered[:limit]
    if present is not None:
        chunk = [present(r) for r in chunk]
    if faults.malformed and after is None:
        chunk = malformed.inject(entity, chunk)
    body: dict[str, Any] = {"results": chunk}
    if len(ordered) > limit:
        nxt = ordered[limit]["id"]
        link = str(call.url.copy_set_param("after", nxt))
        body["paging"] = {"next": {"after": nxt, "link": link}}
    return Reply(200, body)


def limit_param(call: Call, default: int, maximum: int) -> int:
    return _limit(call, default, maximum)


def _archived(call: Call) -> bool:
    return (call.params.get("archived") or "false").lower() == "true"


def _association_names(call: Call, allowed: tuple[str, ...]) -> list[str]:
    names = [n.strip() for v in call.url.params.get_list("associations") for n in v.split(",")]
    return [n for n in names if n in allowed]


def _contact_links(sb: Sandbox, call: Call) -> dict[str, list[dict]]:
    links: dict[str, list[dict]] = {}
    for deal in visible_deals(sb, call):
        links.setdefault(deal.contact_id, []).append({"id": deal.id, "type": "contact_to_deal"})
    return links


@router.add("GET", "/crm/v3/objects/contacts")
def list_contacts(sb: Sandbox, call: Call) -> Reply:
    wanted = requested(call, CONTACT_DEFAULT, CONTACT_ALWAYS)
    known = state_of(sb, call).known("contacts")
    assoc = _association_names(call, ("deals",))
    contacts = SortedRecords() if _archived(call) else all_contacts(sb, call).in_id_order()
    links = _contact_links(sb, call) if assoc else {}

    def present(record: dict) -> dict:
        out = shape(record, wanted, known)
        if assoc and links.get(record["id"]):
            out["associations"] = {"deals": {"results": links[record["id"]]}}
        return out

    return list_page(call, "hubspot.contact", contacts, sb.faults, present)


@router.add("GET", "/crm/v3/objects/contacts/([^/]+)")
def get_contact(sb: Sandbox, call: Call) -> Reply:
    """By record id, or by the value of a unique property given as `idProperty` (HubSpot:
    email or any property created with hasUniqueValue)."""
    key = call.path_args[0]
    known = state_of(sb, call).known("contacts")
    contacts = all_contacts(sb, call)
    id_property = call.params.get("idProperty") or "hs_object_id"
    prop = known.get(id_property)
    if prop is None or not (prop.unique or id_property in ("email", "hs_object_id")):
        raise bad(f"idProperty '{id_property}' is not a unique property of contacts")
    contact_id = find_by(contacts, prop, key)
    if contact_id is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", "Object not found. objectId are usually numeric.")
    wanted = requested(call, CONTACT_DEFAULT, CONTACT_ALWAYS)
    return Reply(200, shape(contacts[contact_id], wanted, known))


def _deal_json(sb: Sandbox, call: Call, deal: Deal, wanted: list[str], assoc: bool) -> dict:
    state = state_of(sb, call)
    with state.lock:
        out = shape(deal_record(deal, sb.now_ms, state), wanted, state.known("deals"))
    if assoc:
        out["associations"] = {
            "contacts": {"results": [{"id": deal.contact_id, "type": "deal_to_contact"}]}
        }
    return out


@router.add("GET", "/crm/v3/objects/(?:deals|0-3)")
def list_deals(sb: Sandbox, call: Call) -> Reply:
    wanted = requested(call, DEAL_DEFAULT, DEAL_ALWAYS)
    assoc = bool(_association_names(call, ("contacts",)))
    deals = [] if _archived(call) else visible_deals(sb, call)
    shaped = [_deal_json(sb, call, deal, wanted, assoc) for deal in deals]
    return list_page(call, "hubspot.deal", shaped, sb.faults)


def find_deal(sb: Sandbox, call: Call, deal_id: str) -> Deal | None:
    return next((d for d in visible_deals(sb, call) if d.id == deal_id), None)


@router.add("GET", "/crm/v3/objects/(?:deals|0-3)/([0-9]+)")
def get_deal(sb: Sandbox, call: Call) -> Reply:
    deal = find_deal(sb, call, call.path_args[0])
    if deal is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", "Object not found. objectId are usually numeric.")
    wanted = requested(call, DEAL_DEFAULT, DEAL_ALWAYS)
    assoc = bool(_association_names(call, ("contacts",)))
    return Reply(200, _deal_json(sb, call, deal, wanted, assoc))
