"""HubSpot deal writes: PATCH /crm/v3/objects/deals/{dealId} and POST .../deals/batch/update.

Deals themselves are generated (sandbox/crm.py); an edit is an overlay on the generated record
(HubSpotState.deals), so GET shows the written values from then on. Only existing, writable
properties are accepted: HubSpot's own deal properties and the custom ones the portal created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hubspot_api import (
    DEAL_ALWAYS,
    DEAL_DEFAULT,
    bad,
    batch_inputs,
    batch_reply,
    deal_record,
    find_deal,
    invalid_values,
    router,
    shape,
    standard_error,
    state_of,
)
from .hubspot_properties import check_properties, not_valid_message
from .hubspot_state import DealWrite
from .web import ApiError, Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox

_NOT_FOUND = "Object not found. objectId are usually numeric."


def _write(sb: Sandbox, call: Call, deal_id: str, values: dict[str, str | None]) -> dict:
    """Apply one deal's validated values; the record as PATCH answers it (defaults plus the
    written properties)."""
    state = state_of(sb, call)
    deal = find_deal(sb, call, deal_id)
    assert deal is not None
    with state.lock:
        edit = state.deals.setdefault(deal_id, DealWrite(deal_id, sb.now_ms, {}))
        edit.properties.update(values)
        edit.updated_ms = sb.now_ms
        record = deal_record(deal, sb.now_ms, state)
        wanted = list(dict.fromkeys([*DEAL_DEFAULT, *values, *DEAL_ALWAYS]))
        return shape(record, wanted, state.known("deals"))


@router.add("PATCH", "/crm/v3/objects/(?:deals|0-3)/([^/]+)", write=True)
def patch_deal(sb: Sandbox, call: Call) -> Reply:
    deal_id = call.path_args[0]
    if call.params.get("idProperty") not in (None, "", "hs_object_id"):
        raise ApiError(400, "VALIDATION_ERROR", "The sandbox finds deals by hs_object_id only")
    body = call.json()
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        raise ApiError(400, "VALIDATION_ERROR", "properties must be an object")
    if find_deal(sb, call, deal_id) is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", _NOT_FOUND)
    values, problems = check_properties(state_of(sb, call).known("deals"), body["properties"])
    if problems:
        raise invalid_values(problems)
    return Reply(200, _write(sb, call, deal_id, values))


@router.add("POST", "/crm/v3/objects/(?:deals|0-3)/batch/update", write=True)
def batch_update_deals(sb: Sandbox, call: Call) -> Reply:
    """Each input alone: a missing deal or an invalid value fails that input (207), the others
    are written."""
    results: list[dict] = []
    errors: list[dict[str, Any]] = []
    known = state_of(sb, call).known("deals")
    seen: set[str] = set()
    for item in batch_inputs(call):
        deal_id = str(item.get("id") or "") if isinstance(item, dict) else ""
        if deal_id in seen:
            raise bad(f"Duplicate IDs found in batch input: {deal_id}")
        seen.add(deal_id)
        if not deal_id or find_deal(sb, call, deal_id) is None:
            errors.append(standard_error("OBJECT_NOT_FOUND", _NOT_FOUND, {"ids": [deal_id]}))
            continue
        values, problems = check_properties(known, item.get("properties"))
        if problems:
            message = not_valid_message(problems)
            names = [p["name"] for p in problems]
            errors.append(
                standard_error("VALIDATION_ERROR", message, {"ids": [deal_id], "names": names})
            )
            continue
        results.append(_write(sb, call, deal_id, values))
    return batch_reply(sb, results, errors)
