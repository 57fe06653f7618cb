"""Response headers that keep browsers from running or framing anything we did not send.

The policy has no 'unsafe-inline': every script and style comes from /static, htmx is told
not to inject its indicator styles (see base.html), and templates use no inline handlers.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.serving import WSGIRequestHandler

from app.config import settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


#: Sent over HTTPS in production: a year, for this host and every subdomain.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
#: What the `Server` header says: the product, never a version an attacker could look up.
SERVER_NAME = "crm-tasks"


def register_security_headers(app: Flask) -> None:
    production = settings(app).production

    @app.after_request
    def add_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # Every answer Flask renders (pages, htmx fragments, API responses, errors) may carry
        # workspace data or a CSRF token: no shared cache or back-button history keeps it.
        # Static files never reach Flask; WhiteNoise caches them (app/static_assets.py).
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        if production and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response

    hide_server_versions()


def hide_server_versions() -> None:
    """The development server's `Server` header names no versions (gunicorn's never does)."""
    WSGIRequestHandler.version_string = lambda self: SERVER_NAME  # type: ignore[method-assign]
