"""HubSpot Properties v3: list, read and create a portal's properties per object type.

`objectType` is the name or the objectTypeId (contacts / 0-1, deals / 0-3, tasks / 0-27). The
list holds HubSpot's own properties and the ones the portal created; creating a name that exists
is 409 Conflict; `hasUniqueValue` makes a property usable as a batch `idProperty`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .clock import rfc3339_ms
from .hubspot_api import bad, router, state_of
from .hubspot_properties import BUILTIN, object_type, parse_create, prop_json
from .hubspot_state import CustomProperty
from .web import ApiError, Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox


def _object_type(call: Call) -> str:
    kind = object_type(call.path_args[0])
    if kind is None:
        raise bad(f"Unable to infer object type from: {call.path_args[0]}")
    return kind


def _all(sb: Sandbox, call: Call, kind: str) -> list[dict]:
    out = [prop_json(p) for p in BUILTIN[kind]]
    state = state_of(sb, call)
    with state.lock:
        custom = list(state.properties[kind].values())
    out += [prop_json(c.prop, rfc3339_ms(c.created_ms)) for c in custom]
    return out


@router.add("GET", "/crm/v3/properties/([^/]+)")
def list_properties(sb: Sandbox, call: Call) -> Reply:
    return Reply(200, {"results": _all(sb, call, _object_type(call))})


@router.add("GET", "/crm/v3/properties/([^/]+)/([^/]+)")
def get_property(sb: Sandbox, call: Call) -> Reply:
    kind, name = _object_type(call), call.path_args[1]
    for prop in _all(sb, call, kind):
        if prop["name"] == name:
            return Reply(200, prop)
    raise ApiError(404, "OBJECT_NOT_FOUND", f"Unable to find property {name} for {kind}")


@router.add("POST", "/crm/v3/properties/([^/]+)", write=True)
def create_property(sb: Sandbox, call: Call) -> Reply:
    kind = _object_type(call)
    if kind == "tasks":  # activity properties are HubSpot's own (see hubspot_tasks_api)
        raise bad("Custom properties cannot be created for tasks")
    prop, problem = parse_create(call.json())
    if prop is None:
        raise bad(problem or "Invalid property")
    state = state_of(sb, call)
    with state.lock:
        if prop.name in state.known(kind):
            raise ApiError(
                409,
                "OBJECT_ALREADY_EXISTS",
                f"Property named '{prop.name}' already exists.",
            )
        state.properties[kind][prop.name] = CustomProperty(prop, sb.now_ms)
    return Reply(201, prop_json(prop, rfc3339_ms(sb.now_ms)))
