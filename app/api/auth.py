"""Bearer-key authentication for every /v1 route."""

from __future__ import annotations

from flask import g, request

from app.api import bp
from app.api.envelope import error_response
from app.config import settings
from app.services import rate_limits
from app.services.accounts import Actor, authenticate_api_key

PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})


@bp.before_request
def require_api_key():
    """Answer 401 unless the request carries a live key; otherwise remember its actor."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    key = authenticate_api_key(secret.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        response = error_response(
            401, "unauthorized", "A valid API key is required: Authorization: Bearer wbk_…"
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="crm-tasks"'
        return response
    g.actor = Actor.for_api_key(key)
    decision = rate_limits.hit(f"api:{key.id}", settings().api_rate_limit)
    if not decision.allowed:
        response = error_response(
            429,
            "rate_limited",
            f"Too many requests for this API key; retry in {decision.retry_after} seconds",
        )
        response.headers["Retry-After"] = str(decision.retry_after)
        return response
    return None


def current_actor() -> Actor:
    return g.actor
