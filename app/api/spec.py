"""The OpenAPI 3 document, generated from the API's own request checks.

Each view declares its summary, body, query parameters and answers with
:func:`operation`; the document walks the URL map and reads those
declarations, so a route and its description live side by side.
"""

import re

from flask import current_app

from app.converters import MAX_ID
from app.models import Availability, Role, TicketStatus

ERROR_STATUSES = {
    400: "Malformed request or query parameter",
    401: "Missing or invalid API token",
    403: "The token's member may not do this",
    404: "No such member or ticket",
    405: "Method not allowed here",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "Body is not JSON",
    422: "Invalid or unknown fields",
    503: "Database busy; nothing was saved, retry after Retry-After seconds",
}

SERVER_STATUSES = {
    414: "Request line too long (answered by the HTTP server)",
    431: "Request headers too large (answered by the HTTP server)",
}

MEMBER_REF = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}
# OpenAPI 3.0 spells "or null" as nullable, not as a list of types.
OPTIONAL_MEMBER_REF = {**MEMBER_REF, "nullable": True}
SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "fields": {"type": "object"},
                },
                "required": ["status", "message", "fields"],
            }
        },
        "required": ["error"],
    },
    "Member": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "contact": {"type": "string", "nullable": True},
            "email": {"type": "string", "nullable": True},
            "role": {"enum": list(Role.ALL)},
            "active": {"type": "boolean"},
            "availability": {"enum": list(Availability.ALL)},
            "assigned_count": {"type": "integer"},
            "open_count": {"type": "integer"},
        },
        "required": ["id", "name", "active", "availability", "role"],
    },
    "Ticket": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "description": {"type": "string"},
            "status": {"enum": list(TicketStatus.ALL)},
            "raised_by": MEMBER_REF,
            "assigned_to": OPTIONAL_MEMBER_REF,
            "created_at": {"type": "string"},
            "assigned_at": {"type": "string", "nullable": True},
        },
        "required": ["id", "description", "status", "raised_by", "assigned_to"],
    },
    "Event": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "at": {"type": "string"},
            "trigger": {"type": "string"},
            "method": {"type": "string"},
            "from": OPTIONAL_MEMBER_REF,
            "to": OPTIONAL_MEMBER_REF,
            "cursor_before": {"type": "integer", "nullable": True},
            "cursor_after": {"type": "integer", "nullable": True},
            "passed_over": {"type": "array"},
            "reason": {"type": "string", "nullable": True},
        },
        "required": ["id", "trigger", "method", "from", "to"],
    },
    "Stats": {
        "type": "object",
        "properties": {
            "window": {"type": "string"},
            "since": {"type": "string", "nullable": True},
            "tickets": {
                "type": "integer",
                "description": "assignments the rotation made in the window "
                "(submissions, drains, handovers and reopenings)",
            },
            "spread": {"type": "integer"},
            "members": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "assigned": {"type": "integer"},
                        "expected": {"type": "number"},
                        "eligible_share": {"type": "number"},
                    },
                    "required": ["id", "name", "assigned", "expected"],
                },
            },
            "per_day": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "date": {"type": "string"},
                        "count": {"type": "integer"},
                    },
                },
            },
        },
        "required": ["window", "tickets", "spread", "members", "per_day"],
    },
    "Rotation": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "order": {"type": "array", "items": MEMBER_REF},
            "last_assigned": OPTIONAL_MEMBER_REF,
            "preview": {"type": "array", "items": MEMBER_REF},
        },
        "required": ["order", "last_assigned", "preview"],
    },
}


def page_of(name):
    return {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {"$ref": f"#/components/schemas/{name}"},
            },
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
        "required": ["items", "page", "per_page", "total"],
    }


def operation(summary, *, body=None, query=(), answers=None, errors=()):
    """Describe an API view for the OpenAPI document.

    ``answers`` maps success statuses to a schema name, a ``page_of(...)``
    schema, or None for an empty answer; ``errors`` lists the error statuses
    the view can give besides the ones every call can (400, 401, 405, 413, 503).
    """

    def describe(view):
        view.openapi = {
            "summary": summary,
            "body": body,
            "query": query,
            "answers": answers or {200: None},
            "errors": set(errors) | {400, 401, 405, 413, 503},
        }
        return view

    return describe


def document():
    """The whole OpenAPI document for the app in context."""
    paths = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        described = getattr(view, "openapi", None)
        if described is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = path_operation(
                rule, described, path
            )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Round-robin helpdesk API",
            "version": "1",
            "description": "Every call needs 'Authorization: Bearer <token>'.",
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"token": []}],
    }


def path_operation(rule, described, path):
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        }
        for name in rule.arguments
    ]
    parameters += [query.schema() for query in described["query"]]
    result = {
        "operationId": rule.endpoint.removeprefix("api."),
        "summary": described["summary"],
        "parameters": parameters,
        "responses": responses(described),
    }
    if described["body"] is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": described["body"].schema()}},
        }
    return result


def responses(described):
    result = {}
    for status, schema in described["answers"].items():
        if schema is None:
            result[str(status)] = {"description": "Done"}
            continue
        if isinstance(schema, str):
            schema = {"$ref": f"#/components/schemas/{schema}"}
        result[str(status)] = {
            "description": "Success",
            "content": {"application/json": {"schema": schema}},
        }
    # The HTTP server in front answers these itself, before the app runs.
    for status, description in SERVER_STATUSES.items():
        result[str(status)] = {"description": description}
    error = {"$ref": "#/components/schemas/Error"}
    for status in sorted(described["errors"]):
        result[str(status)] = {
            "description": ERROR_STATUSES[status],
            "content": {"application/json": {"schema": error}},
        }
    return result
