"""Typed errors raised by services and rendered by each door (JSON envelope or form errors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from app.i18n import lazy_gettext as _l

# Messages are said in the language of the request (docs/i18n.md): the browser app's, and
# always English for the API and the command line.


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    """Input broke a rule; `fields` maps each offending field to what is wrong with it."""

    code = "validation_error"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = dict(fields or {})

    @classmethod
    def for_fields(cls, fields: dict[str, str]) -> ValidationError:
        """One error for several fields, its message naming the first of them."""
        if len(fields) == 1:
            ((name, problem),) = fields.items()
            return cls(f"{name}: {problem}", fields)
        return cls(_("Some fields are invalid: %(names)s", names=", ".join(fields)), fields)


@dataclass(frozen=True)
class Candidate:
    """One record a name could mean, best first in `AmbiguousReference.candidates`."""

    id: str
    name: str
    score: float
    email: str | None = None
    company: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, kind: str) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "name": self.name, "score": round(self.score, 1)}
        if kind == "contact":
            data["email"] = self.email
            data["company"] = self.company
        return data


class AmbiguousReference(ServiceError):
    """A human name matched several records equally well (docs/rules.md §3)."""

    code = "ambiguous_reference"

    def __init__(self, field_name: str, kind: str, candidates: list[Candidate]) -> None:
        super().__init__(
            f"{field_name} matches more than one {kind}; pass {kind}_id with one of the candidates"
        )
        self.field = field_name
        self.kind = kind
        self.candidates = candidates


class PermissionDenied(ServiceError):
    code = "insufficient_permissions"

    def __init__(self, scope: str) -> None:
        super().__init__(_("This action needs the %(scope)s permission", scope=scope))
        self.scope = scope


#: What NotFound can name, as people say it.
NOT_FOUND = {
    "Resource": _l("Not found"),
    "Task": _l("Task not found"),
    "User": _l("User not found"),
    "API key": _l("API key not found"),
    "Workspace": _l("Workspace not found"),
}


class NotFound(ServiceError):
    code = "not_found"

    def __init__(self, what: str = "Resource") -> None:
        known = NOT_FOUND.get(what)
        super().__init__(str(known) if known is not None else f"{what} not found")


class TooManyAttempts(ServiceError):
    """Too many tries in a short time (failed logins, new API keys); come back after
    `retry_after` seconds. `what` says what there were too many of."""

    code = "rate_limited"

    def __init__(self, retry_after: int, what: str = "failed attempts") -> None:
        minutes = max(1, round(retry_after / 60))
        if what == "new API keys":
            message = ngettext(
                "Too many new API keys. Wait %(num)d minute and try again.",
                "Too many new API keys. Wait %(num)d minutes and try again.",
                minutes,
            )
        else:
            message = ngettext(
                "Too many failed attempts. Wait %(num)d minute and try again.",
                "Too many failed attempts. Wait %(num)d minutes and try again.",
                minutes,
            )
        super().__init__(message)
        self.retry_after = retry_after


class LimitReached(ServiceError):
    """A workspace holds as many of something as it may (active API keys)."""

    code = "limit_reached"
