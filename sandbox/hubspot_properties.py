"""HubSpot property definitions and value validation, as the Properties v3 API describes them.

Every CRM object type has HubSpot-defined properties; a portal adds its own with
POST /crm/v3/properties/{objectType}. A write to a record may only name properties that exist
and are not read-only; each value must suit its property's `type` (string, number, bool,
enumeration, date, datetime, phone_number). A failed value is reported the way HubSpot's
object APIs report it: "Property values were not valid: [...]" with one item per property
({"isValid": false, "message", "error", "name", "localizedErrorMessage"}).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# objectType in a path: the name or the objectTypeId (HubSpot accepts both).
OBJECT_TYPES = {"contacts": "contacts", "0-1": "contacts", "deals": "deals", "0-3": "deals"}
OBJECT_TYPES |= {"tasks": "tasks", "0-27": "tasks"}
TYPES = ("bool", "date", "datetime", "enumeration", "number", "phone_number", "string")
FIELD_TYPES = (
    "booleancheckbox",
    "calculation_equation",
    "checkbox",
    "date",
    "file",
    "html",
    "number",
    "phonenumber",
    "radio",
    "select",
    "text",
    "textarea",
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EPOCH = "1970-01-01T00:00:00Z"


@dataclass(frozen=True)
class Prop:
    name: str
    label: str
    type: str
    field_type: str
    group: str
    read_only: bool = False
    options: tuple[str, ...] = ()
    unique: bool = False
    hubspot_defined: bool = True


def _p(name: str, label: str, kind: str, field: str, group: str, **kw: Any) -> Prop:
    return Prop(name, label, kind, field, group, **kw)


_RO = {"read_only": True}
C, D, T = "contactinformation", "dealinformation", "taskinformation"  # HubSpot group names
LIFECYCLE = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
TASK_STATUS = ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
TASK_PRIORITY = ("NONE", "LOW", "MEDIUM", "HIGH")
TASK_TYPE = ("TODO", "CALL", "EMAIL", "LINKED_IN", "MEETING", "LINKED_IN_CONNECT")

BUILTIN: dict[str, tuple[Prop, ...]] = {
    "contacts": (
        _p("email", "Email", "string", "text", C),
        _p("firstname", "First Name", "string", "text", C),
        _p("lastname", "Last Name", "string", "text", C),
        _p("phone", "Phone Number", "string", "phonenumber", C),
        _p("mobilephone", "Mobile Phone Number", "string", "phonenumber", C),
        _p("hs_email_optout", "Unsubscribed from all email", "bool", "booleancheckbox", "email"),
        _p(
            "lifecyclestage",
            "Lifecycle Stage",
            "enumeration",
            "radio",
            C,
            options=LIFECYCLE,
        ),
        _p("city", "City", "string", "text", C),
        _p("zip", "Postal Code", "string", "text", C),
        _p("createdate", "Create Date", "datetime", "date", C, **_RO),
        _p("lastmodifieddate", "Last Modified Date", "datetime", "date", C, **_RO),
        _p("hs_object_id", "Record ID", "number", "number", C, **_RO),
        # The demo portals' own loyalty field, made by the portal before the sandbox starts.
        _p("loyalty_id", "Loyalty ID", "string", "text", C, hubspot_defined=False),
    ),
    "deals": (
        _p("dealname", "Deal Name", "string", "text", D),
        _p("amount", "Amount", "number", "number", D),
        _p("dealstage", "Deal Stage", "enumeration", "radio", D, options=DEAL_STAGES),
        _p("pipeline", "Pipeline", "enumeration", "select", D, options=("default",)),
        _p("closedate", "Close Date", "datetime", "date", D),
        _p("createdate", "Create Date", "datetime", "date", D, **_RO),
        _p("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", D, **_RO),
        _p("hs_object_id", "Record ID", "number", "number", D, **_RO),
    ),
    "tasks": (
        _p("hs_timestamp", "Due date", "datetime", "date", T),
        _p("hs_task_subject", "Task Title", "string", "text", T),
        _p("hs_task_body", "Notes", "string", "html", T),
        _p("hs_task_status", "Task Status", "enumeration", "select", T, options=TASK_STATUS),
        _p(
            "hs_task_priority",
            "Priority",
            "enumeration",
            "select",
            T,
            options=TASK_PRIORITY,
        ),
        _p("hs_task_type", "Task Type", "enumeration", "select", T, options=TASK_TYPE),
        _p("hubspot_owner_id", "Assigned to", "enumeration", "select", T),
        _p("hs_createdate", "Create date", "datetime", "date", T, **_RO),
        _p("hs_lastmodifieddate", "Last modified date", "datetime", "date", T, **_RO),
        _p("hs_object_id", "Record ID", "number", "number", T, **_RO),
    ),
}


def object_type(raw: str) -> str | None:
    return OBJECT_TYPES.get(raw.lower())


def prop_json(prop: Prop, created_ms_text: str | None = None) -> dict[str, Any]:
    """A property in the Properties v3 `Property` shape."""
    body: dict[str, Any] = {
        "name": prop.name,
        "label": prop.label,
        "type": prop.type,
        "fieldType": prop.field_type,
        "description": "",
        "groupName": prop.group,
        "options": [
            {"label": o, "value": o, "displayOrder": i, "hidden": False}
            for i, o in enumerate(prop.options)
        ],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": prop.unique,
        "hidden": False,
        "hubspotDefined": prop.hubspot_defined,
        "formField": not prop.read_only,
        "modificationMetadata": {
            "archivable": not prop.hubspot_defined,
            "readOnlyDefinition": prop.hubspot_defined,
            "readOnlyValue": prop.read_only,
        },
        "archived": False,
    }
    when = created_ms_text or _EPOCH
    body["createdAt"] = body["updatedAt"] = when
    return body


def parse_create(body: Any) -> tuple[Prop | None, str | None]:
    """A PropertyCreate body as a Prop, or the validation message HubSpot would give."""
    if not isinstance(body, dict):
        return None, "Request body must be a JSON object"
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
    if missing:
        return None, f"Missing required fields: {missing}"
    name, kind, field = body["name"], body["type"], body["fieldType"]
    if not isinstance(name, str) or not _NAME.match(name):
        return None, f"Property name '{name}' is invalid: use lower-case letters, digits and _"
    if kind not in TYPES:
        return None, f"type '{kind}' is not one of {list(TYPES)}"
    if field not in FIELD_TYPES:
        return None, f"fieldType '{field}' is not one of {list(FIELD_TYPES)}"
    options = body.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        return None, "options must be an array of {label, value} objects"
    values = tuple(str(o.get("value")) for o in options if o.get("value") is not None)
    if kind == "enumeration" and not values:
        return None, f"Enumeration property '{name}' needs at least one option"
    unique = bool(body.get("hasUniqueValue"))
    if unique and kind not in ("string", "number"):
        return None, "hasUniqueValue is only supported for string and number properties"
    label, group = str(body["label"]), str(body["groupName"])
    prop = Prop(name, label, kind, field, group, False, values, unique, False)
    return prop, None


def invalid(name: str, message: str, error: str) -> dict[str, Any]:
    return {
        "isValid": False,
        "message": message,
        "error": error,
        "name": name,
        "localizedErrorMessage": message,
    }


def not_valid_message(problems: list[dict[str, Any]]) -> str:
    """HubSpot's message for rejected values: the problem list as JSON after a fixed prefix."""
    return "Property values were not valid: " + json.dumps(problems, separators=(",", ":"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    if isinstance(value, str):
        return value.replace("\x00", "")
    return json.dumps(value)


def check_value(prop: Prop, raw: Any) -> tuple[str | None, dict[str, Any] | None]:
    """(stored text, None) or (None, the problem item) for one value of `prop`."""
    value = _text(raw)
    if value is None or value == "":
        return value, None  # clearing a property is always allowed
    name = prop.name
    if prop.name == "email" and not _EMAIL.match(value.strip()):
        return None, invalid(name, f"Email address {value} is invalid", "INVALID_EMAIL")
    if prop.type == "number":
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None, invalid(name, f"{value} was not a valid number.", "INVALID_DOUBLE")
        if not number.is_finite():
            return None, invalid(name, f"{value} was not a valid number.", "INVALID_DOUBLE")
        return value.strip(), None
    if prop.type == "bool":
        if value.strip().lower() not in ("true", "false"):
            return None, invalid(name, f"{value} was not a valid boolean.", "INVALID_BOOLEAN")
        return value.strip().lower(), None
    if prop.type == "enumeration" and prop.options:
        chosen = value.split(";") if prop.field_type == "checkbox" else [value]
        bad = [c for c in chosen if c not in prop.options]
        if bad:
            message = f"{bad[0]} was not one of the allowed options: {list(prop.options)}"
            return None, invalid(name, message, "INVALID_OPTION")
        return value, None
    if prop.type in ("date", "datetime") and not _is_date(value, prop.type):
        message = f"{value} is not a valid {prop.type} (ISO 8601 or epoch milliseconds)"
        code = "INVALID_DATE" if prop.type == "date" else "INVALID_LONG"
        return None, invalid(name, message, code)
    return value, None


def _is_date(value: str, kind: str) -> bool:
    text = value.strip()
    if text.isdigit():
        return kind == "datetime" or int(text) % 86_400_000 == 0  # a date is midnight UTC
    try:
        if kind == "date":
            date.fromisoformat(text)
        else:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def check_properties(
    known: dict[str, Prop], props: Any
) -> tuple[dict[str, str | None], list[dict[str, Any]]]:
    """Stored values and the problems of one input's `properties` (unknown, read-only, bad)."""
    if not isinstance(props, dict):
        return {}, [invalid("properties", "properties must be an object", "INVALID_INPUT")]
    clean: dict[str, str | None] = {}
    problems = []
    for name, raw in props.items():
        prop = known.get(name)
        if prop is None:
            problems.append(
                invalid(name, f'Property "{name}" does not exist', "PROPERTY_DOESNT_EXIST")
            )
            continue
        if prop.read_only:
            message = f'Property "{name}" is read-only and cannot be set'
            problems.append(invalid(name, message, "READ_ONLY_VALUE"))
            continue
        value, problem = check_value(prop, raw)
        if problem is not None:
            problems.append(problem)
        else:
            clean[name] = value
    return clean, problems
