"""The one shape every API error takes: `{"error": {"code", "message", ...}}`."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from werkzeug.wrappers import Response

from app.services.errors import AmbiguousReference, ServiceError, ValidationError

#: Status codes of the service errors (docs/rules.md §4).
SERVICE_STATUS = {
    "validation_error": 400,
    "ambiguous_reference": 400,
    "insufficient_permissions": 403,
    "not_found": 404,
    "idempotency_conflict": 409,
    "rate_limited": 429,
}


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    body: dict[str, Any] = {"code": code, "message": message, **extra}
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    response = jsonify(error=body)
    response.status_code = status
    return response


def service_error_response(error: ServiceError) -> Response:
    """Render a typed service error as the envelope, with its details."""
    extra: dict[str, Any] = {}
    if isinstance(error, ValidationError) and error.fields:
        extra["fields"] = error.fields
    if isinstance(error, AmbiguousReference):
        extra["field"] = error.field
        extra["candidates"] = [c.as_dict(error.kind) for c in error.candidates]
    return error_response(SERVICE_STATUS.get(error.code, 400), error.code, error.message, **extra)
