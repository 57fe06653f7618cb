"""The JSON API under /v1: bearer-key authentication, JSON in, JSON out (docs/rules.md §4)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/v1")

from app.api import auth, openapi, tasks  # noqa: E402,F401  (routes register on import)
