"""How failures reach people: the JSON envelope under /v1/, friendly pages elsewhere.

Every request gets a request id (from a sane `X-Request-ID` header, or a new one) that log
lines and error bodies carry, so a report from a user can be matched to the log.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.api.envelope import error_response, service_error_response
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.services.errors import ServiceError

log = logging.getLogger("crm_tasks")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "request_header_fields_too_large",
}


#: What an error page of the browser app says, by status (the API keeps Werkzeug's English).
PAGE_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    401: (_l("Please log in"), _l("Log in to see this page.")),
    403: (_l("Not allowed"), _l("You are not allowed to do this.")),
    404: (_l("Not found"), _l("There is nothing at this address. Check the link.")),
    405: (_l("Not possible"), _l("This address does not take that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    414: (_l("Address too long"), _l("The address is too long.")),
    415: (_l("Not possible"), _l("This kind of content is not accepted here.")),
    429: (_l("Too many requests"), _l("Too many requests. Wait a moment and try again.")),
    431: (_l("Request too large"), _l("The request's headers are too large.")),
}


def is_api_request() -> bool:
    return request.path == "/v1" or request.path.startswith("/v1/")


def database_unreachable(error: Exception) -> bool:
    """Whether a database error means the server cannot be reached (→ 503)."""
    if isinstance(error, OperationalError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def render_page(status: int, title: str, message: str):
    """A friendly HTML error page for people using the browser app."""
    html = render_template("error.html", status=status, title=title, message=message)
    return make_response(html, status)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers: JSON envelope under /v1/, pages elsewhere, request ids on all."""

    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _SANE_REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        db.session.rollback()
        if is_api_request():
            return service_error_response(error)
        return render_page(
            404 if error.code == "not_found" else 400, _("Not possible"), error.message
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if is_api_request():
            status = error.code or 500
            # Werkzeug's exceptions all carry a description; a bare HTTPException may not,
            # and the envelope's message is always text.
            message = error.description or error.name
            response = error_response(status, HTTP_CODES.get(status, "http_error"), message)
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        status = error.code or 500
        if isinstance(error, CSRFError):
            return render_page(
                status,
                _("Form expired"),
                _(
                    "The form expired or came from another site (CSRF check). Reload the "
                    "page and try again."
                ),
            )
        title, message = PAGE_TEXTS.get(status, (error.name, error.description or error.name))
        return render_page(status, str(title), str(message))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        if database_unreachable(error):
            log.error(
                "database unreachable request_id=%s: %s",
                g.get("request_id"),
                error.__class__.__name__,
            )
            # A commit whose acknowledgement was lost may have gone through: say so, and
            # point at the Idempotency-Key that makes a retry safe.
            message = (
                "The database cannot be reached right now. Try again shortly; if this "
                "request was cut off while saving, retry it with the same Idempotency-Key "
                "so it is applied at most once."
            )
            if is_api_request():
                response = error_response(503, "service_unavailable", message)
            else:
                response = render_page(
                    503,
                    _("Temporarily unavailable"),
                    _(
                        "The database cannot be reached right now. Try again shortly; if this "
                        "was cut off while saving, reload the page to see whether it was saved."
                    ),
                )
            response.headers["Retry-After"] = "5"
            return response
        log.exception("unexpected error request_id=%s", g.get("request_id"))
        message = "Something went wrong on our side. Quote the request id when reporting it."
        if is_api_request():
            return error_response(500, "internal_error", message)
        return render_page(
            500,
            _("Something went wrong"),
            _("Something went wrong on our side. Quote the request id when reporting it."),
        )
