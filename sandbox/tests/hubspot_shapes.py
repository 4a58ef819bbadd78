"""HubSpot's request and response shapes as hand-written JSON Schemas, for tests.

HubSpot's OpenAPI files may not be copied (their licence forbids external use; see
../shared/vendor-specs/hubspot/SOURCE.md), so the field names, required fields and enums below
are written out from HubSpot's public API reference (CRM Objects v3 contacts/deals/tasks,
Properties v3, Lists v3, the error-handling and API usage guidelines pages): facts about the
API, not a copy of its files. Request schemas refuse unknown fields, so a misspelt field fails
here instead of being ignored by HubSpot; response schemas allow extra fields.

`hubspot_shape` (a fixture, like vendor_specs' `square_schema`) validates an instance against a
named schema and fails the test naming each violation; `check(name, instance)` is the same
without pytest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator

STRING_OR_NULL = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}
PROPERTY_VALUES = {"type": "object", "additionalProperties": STRING_OR_NULL}
INPUT_VALUES = {"type": "object", "additionalProperties": {"type": "string"}}
BATCH_STATUS = {"enum": ["CANCELED", "COMPLETE", "PENDING", "PROCESSING"]}
PROPERTY_TYPES = ["bool", "date", "datetime", "enumeration", "number", "phone_number", "string"]
FIELD_TYPES = [
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
]
OPERATORS = [
    "BETWEEN",
    "CONTAINS_TOKEN",
    "EQ",
    "GT",
    "GTE",
    "HAS_PROPERTY",
    "IN",
    "LT",
    "LTE",
    "NEQ",
    "NOT_CONTAINS_TOKEN",
    "NOT_HAS_PROPERTY",
    "NOT_IN",
]


def _obj(required: list[str], props: dict[str, Any], closed: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "required": required, "properties": props}
    if closed:
        schema["additionalProperties"] = False
    return schema


SIMPLE_PUBLIC_OBJECT = _obj(
    ["id", "properties", "createdAt", "updatedAt", "archived"],
    {
        "id": {"type": "string"},
        "properties": PROPERTY_VALUES,
        "createdAt": DATETIME,
        "updatedAt": DATETIME,
        "archived": {"type": "boolean"},
        "archivedAt": DATETIME,
        "associations": {"type": "object"},
    },
)
UPSERT_OBJECT = {
    "allOf": [SIMPLE_PUBLIC_OBJECT, _obj(["new"], {"new": {"type": "boolean"}})],
}
STANDARD_ERROR = _obj(
    ["status", "category", "message", "context", "errors", "links"],
    {
        "status": {"type": "string"},
        "category": {"type": "string"},
        "message": {"type": "string"},
        "context": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "errors": {"type": "array"},
        "links": {"type": "object"},
        "id": {"type": "string"},
    },
)


def _batch(item: dict[str, Any]) -> dict[str, Any]:
    return _obj(
        ["status", "results", "startedAt", "completedAt"],
        {
            "status": BATCH_STATUS,
            "results": {"type": "array", "items": item},
            "startedAt": DATETIME,
            "completedAt": DATETIME,
            "requestedAt": DATETIME,
            "numErrors": {"type": "integer"},
            "errors": {"type": "array", "items": STANDARD_ERROR},
            "links": {"type": "object"},
        },
    )


ASSOCIATION_SPEC = _obj(
    ["associationCategory", "associationTypeId"],
    {
        "associationCategory": {
            "enum": ["HUBSPOT_DEFINED", "INTEGRATOR_DEFINED", "USER_DEFINED", "WORK"]
        },
        "associationTypeId": {"type": "integer"},
    },
    closed=True,
)
CREATE_INPUT = _obj(
    ["properties", "associations"],
    {
        "properties": INPUT_VALUES,
        "associations": {
            "type": "array",
            "items": _obj(
                ["to", "types"],
                {
                    "to": _obj(["id"], {"id": {"type": "string"}}, closed=True),
                    "types": {"type": "array", "minItems": 1, "items": ASSOCIATION_SPEC},
                },
                closed=True,
            ),
        },
        "objectWriteTraceId": {"type": "string"},
    },
    closed=True,
)
ID_INPUT = {
    "id": {"type": "string"},
    "idProperty": {"type": "string"},
    "properties": INPUT_VALUES,
    "objectWriteTraceId": {"type": "string"},
}
FILTER = _obj(
    ["propertyName", "operator"],
    {
        "propertyName": {"type": "string"},
        "operator": {"enum": OPERATORS},
        "value": {"type": "string"},
        "highValue": {"type": "string"},
        "values": {"type": "array", "items": {"type": "string"}},
    },
    closed=True,
)
PROPERTY = _obj(
    ["name", "label", "type", "fieldType", "groupName", "description", "options"],
    {
        "name": {"type": "string"},
        "label": {"type": "string"},
        "type": {"type": "string"},
        "fieldType": {"type": "string"},
        "groupName": {"type": "string"},
        "description": {"type": "string"},
        "options": {
            "type": "array",
            "items": _obj(
                ["label", "value", "hidden"],
                {"label": {"type": "string"}, "value": {"type": "string"}},
            ),
        },
        "hasUniqueValue": {"type": "boolean"},
        "hubspotDefined": {"type": "boolean"},
        "modificationMetadata": _obj(
            ["archivable", "readOnlyDefinition", "readOnlyValue"],
            {"readOnlyValue": {"type": "boolean"}},
        ),
    },
)
PUBLIC_OBJECT_LIST = _obj(
    ["listId", "listVersion", "name", "objectTypeId", "processingStatus", "processingType"],
    {
        "listId": {"type": "string"},
        "listVersion": {"type": "integer"},
        "name": {"type": "string"},
        "objectTypeId": {"type": "string"},
        "processingType": {"enum": ["MANUAL", "DYNAMIC", "SNAPSHOT"]},
        "size": {"type": "integer"},
    },
)
RATE_LIMIT_HEADERS = (
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
    "X-HubSpot-RateLimit-Secondly",
    "X-HubSpot-RateLimit-Secondly-Remaining",
)

SCHEMAS: dict[str, dict[str, Any]] = {
    # -- requests (what a client sends) --
    "PropertyCreate": _obj(
        ["name", "label", "type", "fieldType", "groupName"],
        {
            "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "label": {"type": "string"},
            "type": {"enum": PROPERTY_TYPES},
            "fieldType": {"enum": FIELD_TYPES},
            "groupName": {"type": "string"},
            "description": {"type": "string"},
            "hasUniqueValue": {"type": "boolean"},
            "hidden": {"type": "boolean"},
            "formField": {"type": "boolean"},
            "displayOrder": {"type": "integer"},
            "options": {
                "type": "array",
                "items": _obj(
                    ["label", "value", "hidden"],
                    {
                        "label": {"type": "string"},
                        "value": {"type": "string"},
                        "description": {"type": "string"},
                        "displayOrder": {"type": "integer"},
                        "hidden": {"type": "boolean"},
                    },
                    closed=True,
                ),
            },
        },
        closed=True,
    ),
    "BatchInputUpsert": _obj(
        ["inputs"],
        {
            "inputs": {
                "type": "array",
                "minItems": 1,
                "maxItems": 100,
                "items": _obj(["id", "properties"], ID_INPUT, closed=True),
            }
        },
        closed=True,
    ),
    "BatchInputUpdate": _obj(
        ["inputs"],
        {
            "inputs": {
                "type": "array",
                "minItems": 1,
                "maxItems": 100,
                "items": _obj(["id", "properties"], ID_INPUT, closed=True),
            }
        },
        closed=True,
    ),
    "BatchReadInput": _obj(
        ["inputs", "properties", "propertiesWithHistory"],
        {
            "inputs": {
                "type": "array",
                "minItems": 1,
                "items": _obj(["id"], {"id": {"type": "string"}}, closed=True),
            },
            "properties": {"type": "array", "items": {"type": "string"}},
            "propertiesWithHistory": {"type": "array", "items": {"type": "string"}},
            "idProperty": {"type": "string"},
        },
        closed=True,
    ),
    "ObjectInput": _obj(["properties"], {"properties": INPUT_VALUES}, closed=True),
    "ObjectInputForCreate": CREATE_INPUT,
    "BatchInputForCreate": _obj(
        ["inputs"],
        {"inputs": {"type": "array", "minItems": 1, "maxItems": 100, "items": CREATE_INPUT}},
        closed=True,
    ),
    "SearchRequest": _obj(
        ["filterGroups", "properties", "limit", "after", "sorts"],
        {
            "filterGroups": {
                "type": "array",
                "maxItems": 5,
                "items": _obj(["filters"], {"filters": {"type": "array", "items": FILTER}}),
            },
            "properties": {"type": "array", "items": {"type": "string"}},
            "limit": {"type": "integer", "minimum": 1, "maximum": 200},
            "after": {"type": "string"},
            "sorts": {"type": "array", "items": {"type": "string"}},
            "query": {"type": "string"},
        },
        closed=True,
    ),
    "ListCreateRequest": _obj(
        ["name", "objectTypeId", "processingType"],
        {
            "name": {"type": "string", "minLength": 1},
            "objectTypeId": {"type": "string"},
            "processingType": {"enum": ["MANUAL", "DYNAMIC", "SNAPSHOT"]},
            "listFolderId": {"type": "integer"},
            "filterBranch": {"type": "object"},
            "customProperties": {"type": "object"},
            "membershipSettings": {"type": "object"},
            "listPermissions": {"type": "object"},
        },
        closed=True,
    ),
    "RecordIds": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]+$"}},
    # -- responses (what HubSpot answers) --
    "SimplePublicObject": SIMPLE_PUBLIC_OBJECT,
    "CollectionResponse": _obj(
        ["results"],
        {
            "results": {"type": "array", "items": SIMPLE_PUBLIC_OBJECT},
            "paging": _obj(
                [], {"next": _obj(["after"], {"after": {"type": "string"}, "link": {}})}
            ),
        },
    ),
    "CollectionResponseWithTotal": _obj(
        ["total", "results"],
        {
            "total": {"type": "integer"},
            "results": {"type": "array", "items": SIMPLE_PUBLIC_OBJECT},
            "paging": _obj([], {"next": _obj(["after"], {"after": {"type": "string"}})}),
        },
    ),
    "BatchResponse": _batch(SIMPLE_PUBLIC_OBJECT),
    "BatchResponseUpsert": _batch(UPSERT_OBJECT),
    "Property": PROPERTY,
    "CollectionResponseProperty": _obj(
        ["results"], {"results": {"type": "array", "items": PROPERTY}}
    ),
    "ListResponse": _obj(["list"], {"list": PUBLIC_OBJECT_LIST}),
    "MembershipsUpdateResponse": _obj(
        ["recordIdsMissing", "recordIdsRemoved", "recordsIdsAdded"],
        {
            "recordIdsMissing": {"type": "array", "items": {"type": "string"}},
            "recordIdsRemoved": {"type": "array", "items": {"type": "string"}},
            "recordsIdsAdded": {"type": "array", "items": {"type": "string"}},
        },
    ),
    "Memberships": _obj(
        ["results"],
        {
            "results": {
                "type": "array",
                "items": _obj(
                    ["recordId", "membershipTimestamp"],
                    {"recordId": {"type": "string"}, "membershipTimestamp": DATETIME},
                ),
            }
        },
    ),
    "Error": _obj(
        ["category", "correlationId", "message"],
        {
            "status": {"const": "error"},
            "category": {"type": "string"},
            "correlationId": {"type": "string"},
            "message": {"type": "string"},
        },
    ),
    "RateLimitError": _obj(
        ["status", "message", "errorType", "correlationId", "policyName"],
        {
            "status": {"const": "error"},
            "errorType": {"const": "RATE_LIMIT"},
            "policyName": {"enum": ["DAILY", "SECONDLY", "TEN_SECONDLY_ROLLING"]},
        },
    ),
}


def check(name: str, instance: Any) -> None:
    """Raise AssertionError listing every way `instance` departs from schema `name`."""
    validator = Draft202012Validator(
        SCHEMAS[name], format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    problems = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in problems
        ]
        raise AssertionError(f"not a HubSpot {name}:\n" + "\n".join(lines[:20]))


@pytest.fixture(scope="session")
def hubspot_shape() -> Callable[[str, Any], None]:
    return check
