"""The fixed values of a task's fields and the words people see for them, defined once.

The service's validation, the models, the forms and list filters, the templates' labels
and the OpenAPI document all read these enums: a new status, or a label said differently,
is one line here. Labels are lazy translations (docs/i18n.md): each is looked up in the
language of the page that shows it.
"""

from __future__ import annotations

from enum import StrEnum

from app.i18n import lazy_gettext as _l


class LabelledChoice(StrEnum):
    """A stored value (what the API sends and the database keeps) with its label for people.

    Members compare equal to their value (`TaskStatus.OPEN == "open"`).
    """

    label: str

    def __new__(cls, value: str, label) -> LabelledChoice:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Every stored value, in the order of definition."""
        return tuple(member.value for member in cls)

    @classmethod
    def pairs(cls) -> list[tuple[str, str]]:
        """(value, label) of every member: a select's options."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def label_of(cls, value: str | None) -> str:
        """The label of a stored value; a value this version does not know shows as it is."""
        member = cls._value2member_map_.get(value or "")
        return str(member.label) if isinstance(member, LabelledChoice) else value or ""


class TaskStatus(LabelledChoice):
    OPEN = "open", _l("Open")
    IN_PROGRESS = "in_progress", _l("In progress")
    COMPLETED = "completed", _l("Completed")


class TaskPriority(LabelledChoice):
    LOW = "low", _l("Low")
    MEDIUM = "medium", _l("Medium")
    HIGH = "high", _l("High")


class UserRole(LabelledChoice):
    ADMIN = "admin", _l("Admin")
    MEMBER = "member", _l("Member")
    VIEWER = "viewer", _l("Viewer")


class TaskType(LabelledChoice):
    """The types the form suggests; a task's type may also be any other word."""

    CALL = "call", _l("Call")
    EMAIL = "email", _l("Email")
    MEETING = "meeting", _l("Meeting")
    FOLLOW_UP = "follow_up", _l("Follow-up")
    TODO = "todo", _l("To-do")


#: The statuses of a task still to do (the list's default filter, "To do").
OPEN_STATUSES: tuple[str, ...] = tuple(s.value for s in TaskStatus if s is not TaskStatus.COMPLETED)
