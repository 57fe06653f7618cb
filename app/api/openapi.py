"""The OpenAPI 3.1 document of the /v1 API, served at GET /v1/openapi.json.

Built from the definitions the code itself uses, so the two cannot drift apart quietly:
the statuses and priorities come from app.models, the body fields of create and update
from `CREATE_FIELDS` / `UPDATE_FIELDS`, lengths from the service's constants, the list's
query parameters from `LIST_PARAMETERS`, and the limit's bounds from the service. Each
field's schema is written once here; `build_document` refuses to build when a field of
the code has none (and tests check the reverse, and that every route is described).
"""

from __future__ import annotations

import functools
from typing import Any

from app.api import bp
from app.models import TASK_PRIORITIES, TASK_STATUSES
from app.services import idempotency, quick_add
from app.services import tasks as task_rules
from app.services.dates import CREATED_DATE_WINDOW
from app.services.reminders import REMINDER_RULES

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"

_UUID = {"type": "string", "format": "uuid"}
_NULLABLE_UUID = {"type": ["string", "null"], "format": "uuid"}
_NO_NUL = "^[^\\u0000]*$"


def _ref(name: str, kind: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


#: Enumerations named once and referenced wherever they appear (bodies, the task, the list's
#: query), so a generated client gets one enum class per field, e.g. `TaskPriority`. A
#: nullable one is `anyOf: [$ref, null]`: an inline `enum` with null in it made client
#: generators emit one class per member of the type list.
ENUM_SCHEMAS: dict[str, dict[str, Any]] = {
    "TaskStatus": {"type": "string", "enum": list(TASK_STATUSES)},
    "TaskPriority": {"type": "string", "enum": list(TASK_PRIORITIES)},
    #: `assignee_id=none` on the list: the tasks nobody is assigned to.
    "Unassigned": {"type": "string", "enum": [task_rules.UNASSIGNED]},
    #: A reminder relative to the due date (app/services/reminders.py).
    "TaskReminder": {"type": "string", "enum": list(REMINDER_RULES)},
    #: How quick add reads an ambiguous numeric date such as 3/12 (app/services/quick_add.py).
    "ParseLocale": {"type": "string", "enum": list(quick_add.LOCALES)},
}
_STATUS = _ref("TaskStatus")
_NULLABLE_PRIORITY = {"anyOf": [_ref("TaskPriority"), {"type": "null"}]}
_NULLABLE_REMINDER = {"anyOf": [_ref("TaskReminder"), {"type": "null"}]}

#: The schema of each body field of create and update (docs/rules.md §2).
BODY_FIELDS: dict[str, dict[str, Any]] = {
    "title": {
        "type": "string",
        "maxLength": task_rules.TITLE_MAX,
        "pattern": "\\S",
        "description": "Required on create. Trimmed; blank counts as missing.",
    },
    "description": {"type": ["string", "null"], "maxLength": task_rules.DESCRIPTION_MAX},
    "status": {
        **_STATUS,
        "default": "open",
        "description": "`completed` records completed_at; leaving it clears completed_at.",
    },
    "priority": _NULLABLE_PRIORITY,
    "task_type": {
        "type": ["string", "null"],
        "maxLength": task_rules.TASK_TYPE_MAX,
        "examples": list(task_rules.SUGGESTED_TASK_TYPES),
        "description": "Free text; the browser app offers "
        + ", ".join(task_rules.SUGGESTED_TASK_TYPES)
        + ".",
    },
    "due_date": {
        "anyOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
            {"type": "null"},
        ],
        "description": "YYYY-MM-DD is a calendar day, kept as sent. A date-time with an "
        "offset is that instant; without one it is read in the workspace's time zone.",
    },
    "assignee_id": {**_NULLABLE_UUID, "description": "An active user of your workspace."},
    "contact_id": {**_NULLABLE_UUID, "description": "A contact of your workspace."},
    "contact_name": {
        "type": ["string", "null"],
        "maxLength": task_rules.NAME_QUERY_MAX,
        "description": "Resolved to contact_id by fuzzy match; not together with contact_id.",
    },
    "company_id": {**_NULLABLE_UUID, "description": "A company of your workspace."},
    "company_name": {
        "type": ["string", "null"],
        "maxLength": task_rules.NAME_QUERY_MAX,
        "description": "Resolved to company_id by fuzzy match; not together with company_id.",
    },
    "deal_id": {**_NULLABLE_UUID, "description": "A deal of your workspace."},
    "event_id": {**_NULLABLE_UUID, "description": "An event of your workspace."},
    "created_date": {
        "type": ["string", "null"],
        "format": "date-time",
        "description": f"Kept when within {CREATED_DATE_WINDOW.describe()} (both bounds "
        "inclusive); otherwise now() is used and meta.created_date_adjusted says so.",
    },
    "remind_at": {
        "type": ["string", "null"],
        "format": "date-time",
        "description": "When the reminder email goes out, as a fixed instant (without an "
        "offset: the workspace's time zone). null removes the reminder. Not together with "
        "reminder.",
    },
    "reminder": {
        **_NULLABLE_REMINDER,
        "description": "A reminder relative to the due date, which moves when the due date "
        "does: "
        + "; ".join(f"{rule.name}: {rule.label}" for rule in REMINDER_RULES.values())
        + ". A date-only task counts as due at 08:00 in the assignee's time zone. Needs a "
        "due date. Not together with remind_at. When neither is given on create, the "
        "creating user's default reminder applies.",
    },
    "recurrence": {
        "type": ["string", "null"],
        "maxLength": 255,
        "examples": ["FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6"],
        "description": "An RFC 5545 RRULE subset: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), "
        "INTERVAL, BYDAY (weekly), BYMONTHDAY (monthly), UNTIL or COUNT. Needs a due date. "
        "Completing the task creates the next occurrence once. Stored canonically.",
    },
}

_DATE_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}

#: The schema of each field `task_json` returns (docs/rules.md §4).
TASK_FIELDS: dict[str, dict[str, Any]] = {
    "id": _UUID,
    "title": {"type": "string", "maxLength": task_rules.TITLE_MAX},
    "description": {"type": ["string", "null"]},
    "status": _STATUS,
    "priority": _NULLABLE_PRIORITY,
    "task_type": {"type": ["string", "null"]},
    "due_date": {
        "anyOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
            {"type": "null"},
        ],
        "description": "YYYY-MM-DD for a calendar day; an ISO 8601 instant in UTC (Z) "
        "when a time was given.",
    },
    "assigned_to_user_id": _NULLABLE_UUID,
    "contact_id": _NULLABLE_UUID,
    "company_id": _NULLABLE_UUID,
    "deal_id": _NULLABLE_UUID,
    "event_id": _NULLABLE_UUID,
    "created_date": _DATE_TIME,
    "updated_at": _DATE_TIME,
    "completed_at": _NULLABLE_DATE_TIME,
    "remind_at": {
        **_NULLABLE_DATE_TIME,
        "description": "When the reminder goes out (UTC), or null.",
    },
    "reminder": {
        **_NULLABLE_REMINDER,
        "description": "The relative reminder remind_at follows, or null for a fixed one.",
    },
    "recurrence": {
        "type": ["string", "null"],
        "description": "The RRULE this task repeats with (canonical), or null.",
    },
}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict:
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


#: The query parameters of GET /v1/tasks.
LIST_QUERY: dict[str, dict[str, Any]] = {
    "status": _query(
        "status",
        {"type": "array", "items": _STATUS},
        "Only tasks in one of these statuses; repeat the parameter for several.",
        style="form",
        explode=True,
    ),
    "priority": _query("priority", _ref("TaskPriority"), "Only this priority."),
    "assignee_id": _query(
        "assignee_id",
        {"anyOf": [_UUID, _ref("Unassigned")]},
        "Only tasks assigned to this user; `none` for tasks nobody is assigned to.",
    ),
    "contact_id": _query("contact_id", _UUID, "Only tasks linked to this contact."),
    "company_id": _query("company_id", _UUID, "Only tasks linked to this company."),
    "deal_id": _query("deal_id", _UUID, "Only tasks linked to this deal."),
    "event_id": _query("event_id", _UUID, "Only tasks linked to this event."),
    "due_before": _query(
        "due_before",
        {"type": "string", "format": "date"},
        "Only tasks due on or before this day (inclusive); undated tasks are left out.",
    ),
    "due_after": _query(
        "due_after",
        {"type": "string", "format": "date"},
        "Only tasks due on or after this day (inclusive); undated tasks are left out.",
    ),
    "overdue": _query(
        "overdue",
        {"type": "string", "enum": ["true"]},
        "Only tasks not completed whose due moment has passed (a date-only due date: "
        "the day is over in the workspace's time zone).",
    ),
    "q": _query(
        "q",
        {"type": "string", "minLength": 1, "pattern": _NO_NUL},
        "Only tasks whose title contains this text (case-insensitive; on SQLite for "
        "ASCII letters only).",
    ),
    "limit": _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": task_rules.PAGE_LIMIT_MAX, "default": 50},
        "Page size.",
    ),
    "cursor": _query(
        "cursor",
        {"type": "string", "minLength": 1},
        "The next_cursor of the previous page. Opaque and signed: a modified one is a "
        "validation error.",
    ),
}

_TASK_ID = {
    "name": "task_id",
    "in": "path",
    "required": True,
    "schema": _UUID,
    "description": "A task of your workspace. Unknown, deleted, malformed and other "
    "workspaces' ids all answer 404.",
}

_ERRORS = {
    "400": ("BadRequest", "The request broke a rule: `validation_error` with `fields`, or "
            "`ambiguous_reference` with `field` and `candidates`."),
    "401": ("Unauthorized", "No, malformed, unknown or revoked API key (`unauthorized`)."),
    "403": ("Forbidden", "The key lacks the scope (`insufficient_permissions`)."),
    "404": ("NotFound", "No such task in your workspace (`not_found`)."),
    "409": ("Conflict", "The Idempotency-Key was used with another body "
            "(`idempotency_conflict`)."),
    "413": ("PayloadTooLarge", "The body is over 1 MiB (`payload_too_large`)."),
    "429": ("RateLimited", "Too many requests for this API key (`rate_limited`); retry "
            "after the seconds in Retry-After."),
    "500": ("InternalError", "Something unexpected (`internal_error`), logged under the "
            "request_id the body carries."),
    "503": ("ServiceUnavailable", "The database cannot be reached; nothing was written "
            "(`service_unavailable`)."),
}  # fmt: skip


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: _ref(_ERRORS[status][0], "responses") for status in statuses}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _check_coverage() -> None:
    """Refuse to describe a field or parameter the code has and this module does not."""
    missing = (task_rules.CREATE_FIELDS - set(BODY_FIELDS)) | (
        set(_task_views().LIST_PARAMETERS) - set(LIST_QUERY)
    )
    if missing:
        raise RuntimeError(f"openapi.py describes no schema for: {', '.join(sorted(missing))}")


def _task_views():
    # Imported late: app.api.tasks imports this module to register its route.
    from app.api import tasks as task_views

    return task_views


def _schemas() -> dict[str, Any]:
    def body(fields: frozenset[str]) -> dict[str, Any]:
        return {name: BODY_FIELDS[name] for name in sorted(fields)}

    return {
        **ENUM_SCHEMAS,
        "Task": {
            "type": "object",
            "properties": TASK_FIELDS,
            "required": list(TASK_FIELDS),
            "additionalProperties": False,
        },
        "TaskCreate": {
            "type": "object",
            "properties": body(task_rules.CREATE_FIELDS),
            "required": ["title"],
            "additionalProperties": False,
            "description": "At least one of contact_id, company_id, deal_id, event_id (or a "
            "contact_name / company_name that resolves) is required: " + task_rules.ORPHAN_MESSAGE,
        },
        "TaskUpdate": {
            "type": "object",
            "properties": body(task_rules.UPDATE_FIELDS),
            "additionalProperties": False,
            "description": "Only the fields given change; null clears an optional one. The "
            "task must keep at least one parent link. created_date cannot change.",
        },
        "TaskResponse": {
            "type": "object",
            "properties": {
                "data": _ref("Task"),
                "meta": {
                    "type": "object",
                    "properties": {
                        "created_date_adjusted": {
                            "type": "boolean",
                            "description": "Present when created_date was given: true "
                            "when it was outside the window and replaced by now().",
                        }
                    },
                    "additionalProperties": False,
                },
            },
            "required": ["data"],
            "additionalProperties": False,
        },
        "TaskPage": {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": _ref("Task")},
                "next_cursor": {
                    "type": ["string", "null"],
                    "description": "Pass as `cursor` for the next page; null on the last.",
                },
            },
            "required": ["data", "next_cursor"],
            "additionalProperties": False,
        },
        **_parse_schemas(),
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string", "minLength": 1},
                        "request_id": {"type": "string"},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "description": "validation_error: what is wrong with each field "
                            "or parameter.",
                        },
                        "field": {"type": "string"},
                        "candidates": {
                            "type": "array",
                            "maxItems": 10,
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": _UUID,
                                    "name": {"type": "string"},
                                    "score": {"type": "number"},
                                    "email": {"type": ["string", "null"]},
                                    "company": {"type": ["string", "null"]},
                                },
                                "required": ["id", "name", "score"],
                            },
                        },
                    },
                    "required": ["code", "message"],
                    "additionalProperties": False,
                }
            },
            "required": ["error"],
            "additionalProperties": False,
        },
    }


def _parse_schemas() -> dict[str, Any]:
    """POST /v1/tasks/parse: the line in, the fields and what was understood out."""
    position = {"type": "integer", "minimum": 0, "description": "In Unicode code points."}
    return {
        "TaskParseRequest": {
            "type": "object",
            "properties": {
                "text": {"type": "string", "minLength": 1, "maxLength": quick_add.TEXT_MAX},
                "timezone": {
                    "type": ["string", "null"],
                    "description": "IANA zone the dates are meant in; default: the "
                    "workspace's.",
                    "examples": ["Europe/Berlin"],
                },
                "locale": {
                    "anyOf": [_ref("ParseLocale"), {"type": "null"}],
                    "description": "Decides only how 3/12 is read (en: 12 March, de: 3 "
                    f"December); default {quick_add.DEFAULT_LOCALE}. Both languages' words "
                    "are always understood.",
                },
            },
            "required": ["text"],
            "additionalProperties": False,
        },
        "TaskParse": {
            "type": "object",
            "properties": {
                "data": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "title": {"type": "string"},
                        "fields": {
                            "type": "object",
                            "description": "The body POST /v1/tasks would take (only the "
                            "fields the line gave).",
                            "properties": {
                                name: BODY_FIELDS[name]
                                for name in (
                                    "title", "due_date", "priority", "task_type", "assignee_id",
                                    "contact_id", "company_id", "deal_id", "event_id",
                                )
                            },
                            "additionalProperties": False,
                        },
                        "spans": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "start": position,
                                    "end": position,
                                    "kind": {
                                        "type": "string",
                                        "enum": list(quick_add.SPAN_KINDS),
                                    },
                                    "value": {"type": "string"},
                                    "label": {"type": "string"},
                                    "in_title": {"type": "boolean"},
                                },
                                "required": ["start", "end", "kind", "value", "label", "in_title"],
                                "additionalProperties": False,
                            },
                        },
                        "questions": {
                            "type": "array",
                            "description": "What was not decided: an ambiguous or weak name, "
                            "an impossible date, a time a clock change skips or repeats. "
                            "Nothing in a question is in `fields`.",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "kind": {
                                        "type": "string",
                                        "enum": list(quick_add.QUESTION_KINDS),
                                    },
                                    "reason": {
                                        "type": "string",
                                        "enum": list(quick_add.QUESTION_REASONS),
                                    },
                                    "start": position,
                                    "end": position,
                                    "text": {"type": "string"},
                                    "message": {"type": "string"},
                                    "candidates": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "value": {"type": "string"},
                                                "label": {"type": "string"},
                                                "score": {"type": ["number", "null"]},
                                                "email": {"type": ["string", "null"]},
                                                "company": {"type": ["string", "null"]},
                                            },
                                            "required": ["value", "label"],
                                            "additionalProperties": False,
                                        },
                                    },
                                },
                                "required": [
                                    "kind", "reason", "start", "end", "text", "message",
                                    "candidates",
                                ],
                                "additionalProperties": False,
                            },
                        },
                        "timezone": {"type": "string"},
                        "locale": _ref("ParseLocale"),
                    },
                    "required": [
                        "text", "title", "fields", "spans", "questions", "timezone", "locale",
                    ],
                    "additionalProperties": False,
                }
            },
            "required": ["data"],
            "additionalProperties": False,
        },
    }  # fmt: skip


def _responses() -> dict[str, Any]:
    responses = {
        name: {"description": description, "content": _json(_ref("Error"))}
        for name, description in _ERRORS.values()
    }
    responses["Unauthorized"]["headers"] = {
        "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
    }
    responses["RateLimited"]["headers"] = {
        "Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}
    }
    responses["ServiceUnavailable"]["headers"] = {
        "Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}
    }
    return responses


_TASK_LINKS = {
    "GetTask": {
        "operationId": "getTask",
        "parameters": {"task_id": "$response.body#/data/id"},
    },
    "UpdateTask": {
        "operationId": "updateTask",
        "parameters": {"task_id": "$response.body#/data/id"},
    },
    "DeleteTask": {
        "operationId": "deleteTask",
        "parameters": {"task_id": "$response.body#/data/id"},
    },
}


def _paths() -> dict[str, Any]:
    idempotency_key = {
        "name": idempotency.HEADER,
        "in": "header",
        "required": False,
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": idempotency.KEY_MAX,
            "pattern": "^[\\x20-\\x7e]*[\\x21-\\x7e][\\x20-\\x7e]*$",
        },
        "description": "Makes the create safe to retry: the same key with the same body "
        f"within {int(idempotency.REPLAY_WINDOW.total_seconds() // 3600)} hours returns "
        "the first answer (same id, status and Location) and creates nothing; with another "
        "body it is a 409. Keys are per API key. Only successful creates are remembered.",
    }
    created_headers = {
        "Location": {"schema": {"type": "string"}, "description": "The task's URL."},
        "Idempotent-Replayed": {
            "schema": {"type": "string", "enum": ["true"]},
            "description": "Present when this is the stored answer to an earlier request.",
        },
    }
    return {
        "/v1/tasks": {
            "get": {
                "operationId": "listTasks",
                "summary": "List tasks",
                "description": "Needs activities:read. Sorted by due date (a timed task before "
                "a date-only one of the same day, undated last), then by creation. Unknown "
                "or repeated parameters are a validation error.",
                "tags": ["tasks"],
                "parameters": [LIST_QUERY[name] for name in _task_views().LIST_PARAMETERS],
                "responses": {
                    "200": {
                        "description": "One page of tasks.",
                        "content": _json(_ref("TaskPage")),
                    },
                    **_errors("400", "401", "403", "429", "500", "503"),
                },
            },
            "post": {
                "operationId": "createTask",
                "summary": "Create a task",
                "description": "Needs activities:write.",
                "tags": ["tasks"],
                "parameters": [idempotency_key],
                "requestBody": {"required": True, "content": _json(_ref("TaskCreate"))},
                "responses": {
                    "201": {
                        "description": "Created (or the replay of an earlier create).",
                        "headers": created_headers,
                        "content": _json(_ref("TaskResponse")),
                        "links": _TASK_LINKS,
                    },
                    **_errors("400", "401", "403", "409", "413", "429", "500", "503"),
                },
            },
        },
        "/v1/tasks/parse": {
            "post": {
                "operationId": "parseTask",
                "summary": "Read one line of text as a task",
                "description": "Needs activities:read. Saves nothing: answers the fields "
                "POST /v1/tasks would take for a line of English or German (`Call Hans "
                "Müller tomorrow 10:00 !high`), the parts understood, and the questions "
                "left (an ambiguous name is never linked silently). See docs/quick_add.md.",
                "tags": ["tasks"],
                "requestBody": {"required": True, "content": _json(_ref("TaskParseRequest"))},
                "responses": {
                    "200": {"description": "The reading.", "content": _json(_ref("TaskParse"))},
                    **_errors("400", "401", "403", "413", "429", "500", "503"),
                },
            }
        },
        "/v1/tasks/{task_id}": {
            "parameters": [_TASK_ID],
            "get": {
                "operationId": "getTask",
                "summary": "Read a task",
                "description": "Needs activities:read.",
                "tags": ["tasks"],
                "responses": {
                    "200": {"description": "The task.", "content": _json(_ref("TaskResponse"))},
                    **_errors("401", "403", "404", "429", "500", "503"),
                },
            },
            "patch": {
                "operationId": "updateTask",
                "summary": "Change a task",
                "description": "Needs activities:write.",
                "tags": ["tasks"],
                "requestBody": {"required": True, "content": _json(_ref("TaskUpdate"))},
                "responses": {
                    "200": {
                        "description": "The changed task.",
                        "content": _json(_ref("TaskResponse")),
                    },
                    **_errors("400", "401", "403", "404", "413", "429", "500", "503"),
                },
            },
            "delete": {
                "operationId": "deleteTask",
                "summary": "Delete a task",
                "description": "Needs activities:write. A soft delete: the task is gone from "
                "list and read; the browser app can undo it.",
                "tags": ["tasks"],
                "responses": {
                    "204": {"description": "Deleted."},
                    **_errors("401", "403", "404", "429", "500", "503"),
                },
            },
        },
        "/v1/tasks/{task_id}/restore": {
            "parameters": [_TASK_ID],
            "post": {
                "operationId": "restoreTask",
                "summary": "Restore a deleted task",
                "description": "Needs activities:write. Brings back a task deleted within "
                "the last 30 days; after that `flask --app app purge-expired` removes it for "
                "good. A task never deleted, purged, or of another workspace is not found.",
                "tags": ["tasks"],
                "responses": {
                    "200": {
                        "description": "The restored task.",
                        "content": _json(_ref("TaskResponse")),
                    },
                    **_errors("401", "403", "404", "429", "500", "503"),
                },
            },
        },
        "/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document",
                "description": "Public: needs no API key.",
                "tags": ["meta"],
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document of /v1.",
                        "content": _json({"type": "object"}),
                    },
                    **_errors("500"),
                },
            }
        },
    }


@functools.cache
def build_document() -> dict[str, Any]:
    """The whole document (built once per process: it depends on code, not on data)."""
    _check_coverage()
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "crm-tasks API",
            "version": API_VERSION,
            "description": "Follow-up tasks linked to contacts, companies, deals and events. "
            'Every error is `{"error": {"code", "message", ...}}`. Timestamps are ISO '
            "8601 in UTC; date-only due dates are YYYY-MM-DD.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "tasks"}, {"name": "meta"}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key (wbk_…) created with `flask --app app "
                    "create-api-key`; scopes activities:read and/or activities:write.",
                }
            },
            "schemas": _schemas(),
            "responses": _responses(),
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document (public, like any API's reference)."""
    return build_document()
