"""WTForms forms of the browser app.

The task form only carries what people type, under the API's field names; it validates
nothing but the CSRF token. Every rule is checked by the task service, whose errors the
views put back next to the fields (see `TaskForm.payload` and `views.tasks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired

from app import kinds
from app.i18n import current_language
from app.i18n import lazy_gettext as _l
from app.services import recurrence as recurrence_rules
from app.services.accounts import API_KEY_NAME_MAX, KNOWN_SCOPES
from app.services.dates import CREATED_DATE_WINDOW
from app.services.reminders import REMINDER_RULES
from app.services.search import QUERY_MAX
from app.services.tasks import NAME_QUERY_MAX, TASK_TYPE_MAX, TITLE_MAX
from app.vocabulary import TaskPriority, TaskStatus

try:
    # New in WTForms 3.3; types-WTForms still describes 3.2.
    from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # WTForms before 3.3 takes (value, label) tuples
    SelectChoice = None


def choices(pairs) -> list:
    """(value, label) pairs as the installed WTForms wants select choices."""
    return [
        SelectChoice(value, label) if SelectChoice else (value, label) for value, label in pairs
    ]


STATUS_CHOICES = choices(TaskStatus.pairs())
PRIORITY_CHOICES = choices([("", _l("No priority")), *TaskPriority.pairs()])
#: The form's reminder choice for "at this exact time" (the API's `remind_at`).
CUSTOM_REMINDER = "custom"
#: "My default": the field is left out, so the service applies the user's default reminder
#: (only when the task has a due date).
DEFAULT_REMINDER = "default"


def reminder_choices(default_rule: str | None = None) -> list:
    """The reminder select; with `default_rule`, a first choice that names the default."""
    first = [("", _("No reminder"))]
    if default_rule in REMINDER_RULES:
        label = str(REMINDER_RULES[default_rule].label)
        if current_language() == "en":  # "My default (1 hour before)"; German nouns keep caps
            label = label[:1].lower() + label[1:]
        first = [(DEFAULT_REMINDER, _("My default (%(rule)s)", rule=label)), *first]
    return choices(
        first
        + [(rule.name, rule.label) for rule in REMINDER_RULES.values()]
        + [(CUSTOM_REMINDER, _("At a time I choose"))]
    )


REPEAT_CHOICES = choices(
    [
        ("", _l("Does not repeat")),
        ("DAILY", _l("Daily")),
        ("WEEKLY", _l("Weekly")),
        ("MONTHLY", _l("Monthly")),
        ("YEARLY", _l("Yearly")),
    ]
)
#: The weekdays a weekly rule may name (the form shows their names in the page's language).
WEEKDAY_CHOICES = choices([(day, day) for day in recurrence_rules.WEEKDAYS])
REPEAT_END_CHOICES = choices(
    [("", _l("Never")), ("until", _l("On a date")), ("count", _l("After a number of times"))]
)


def recurrence_text(freq, interval, days, month_day, end, until, count) -> str | None:
    """The RRULE the repeat fields describe (the service validates it), or None."""
    freq = strip_or_none(freq)
    if not freq:
        return None
    parts = [f"FREQ={freq}"]
    if strip_or_none(interval) and str(interval).strip() != "1":
        parts.append(f"INTERVAL={str(interval).strip()}")
    if freq == "WEEKLY" and days:
        parts.append("BYDAY=" + ",".join(days))
    if freq == "MONTHLY" and strip_or_none(month_day):
        parts.append(f"BYMONTHDAY={str(month_day).strip()}")
    if end == "until" and strip_or_none(until):
        parts.append("UNTIL=" + str(until).strip().replace("-", ""))
    if end == "count" and strip_or_none(count):
        parts.append(f"COUNT={str(count).strip()}")
    return ";".join(parts)


def recurrence_fields(rule_text: str | None) -> dict[str, Any]:
    """A stored rule as the repeat fields show it."""
    if not rule_text:
        return {}
    rule = recurrence_rules.parse(rule_text)
    return {
        "repeat": rule.freq,
        "repeat_interval": str(rule.interval),
        "repeat_days": list(rule.by_day),
        "repeat_month_day": str(rule.by_month_day or ""),
        "repeat_end": "until" if rule.until else "count" if rule.count else "",
        "repeat_until": rule.until.isoformat() if rule.until else "",
        "repeat_count": str(rule.count or ""),
    }


#: The four parent links: (kind, id field, text field of the combobox, search URL segment).
LINKS = tuple((k.key, k.id_field, k.text_field, k.segment) for k in kinds.KINDS)
#: Text fields the service resolves by name (docs/rules.md §3); deals and events must be picked.
NAME_FIELDS = {k.key: k.name_field for k in kinds.KINDS if k.name_field is not None}


def strip_or_none(value: Any) -> str | None:
    """A typed value, or None when nothing (or only spaces) was typed."""
    if value is None:
        return None
    return value if isinstance(value, str) and value.strip() else None


def combine_due(day: str | None, time: str | None) -> str | None:
    """The due date as the service reads it: `2026-03-10`, or `2026-03-10T09:30` (a wall-clock
    time, which the service reads in the workspace's zone)."""
    day, time = strip_or_none(day), strip_or_none(time)
    if day and time:
        return f"{day.strip()}T{time.strip()}"
    return day


#: What the form says when a deal or event was typed but not picked.
CHOOSE_FROM_SUGGESTIONS = {
    "deal": _l("Choose a deal from the suggestions, or clear the text."),
    "event": _l("Choose an event from the suggestions, or clear the text."),
}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (a fieldset of them, not a multi-select box)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    next = HiddenField()


class TaskForm(FlaskForm):
    """Every field of docs/rules.md §2 as people enter it; `payload` turns it into the API's."""

    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX})
    description = TextAreaField(_l("Description"))
    status = SelectField(
        _l("Status"), choices=STATUS_CHOICES, default=TaskStatus.OPEN.value, validate_choice=False
    )
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES, validate_choice=False)
    task_type = StringField(_l("Type"), render_kw={"maxlength": TASK_TYPE_MAX})
    due_date = StringField(_l("Due date"))
    due_time = StringField(_l("Time (optional)"))
    assignee_id = SelectField(_l("Assignee"), choices=[], validate_choice=False)
    reminder = SelectField(_l("Reminder"), choices=reminder_choices(), validate_choice=False)
    remind_at = StringField(_l("Reminder time"))
    repeat = SelectField(_l("How often"), choices=REPEAT_CHOICES, validate_choice=False)
    repeat_interval = StringField(_l("Every"), default="1")
    repeat_days = MultiCheckboxField(
        _l("On"), choices=WEEKDAY_CHOICES, default=[], validate_choice=False
    )
    repeat_month_day = StringField(_l("On day of the month"))
    repeat_end = SelectField(_l("Ends"), choices=REPEAT_END_CHOICES, validate_choice=False)
    repeat_until = StringField(_l("Last date"))
    repeat_count = StringField(_l("Times"))
    created_date = StringField(
        _l("Created (optional)"),
        description=_l(
            "Leave empty to use the current time. A date within %(window)s is kept as given.",
            window=LazyString(CREATED_DATE_WINDOW.describe),
        ),
    )
    next = HiddenField()

    def set_assignees(self, users: list) -> None:
        self.assignee_id.choices = choices(
            [("", _("Nobody"))] + [(str(u.id), u.name) for u in users]
        )

    def due_value(self) -> str | None:
        return combine_due(self.due_date.data, self.due_time.data)

    def form_problems(self) -> dict[str, str]:
        """What this form cannot even hand to the service (the service checks the rest)."""
        problems = {}
        if strip_or_none(self.due_time.data) and not strip_or_none(self.due_date.data):
            problems["due_time"] = _("Give a due date for this time, or clear the time.")
        for kind, id_field, text_field, _segment in LINKS:
            if kind in NAME_FIELDS:
                continue
            if strip_or_none(getattr(self, text_field).data) and not strip_or_none(
                getattr(self, id_field).data
            ):
                problems[id_field] = str(CHOOSE_FROM_SUGGESTIONS[kind])
        if self.reminder.data == CUSTOM_REMINDER and not strip_or_none(self.remind_at.data):
            problems["remind_at"] = _(
                "Give the reminder's date and time, or choose another reminder."
            )
        return problems

    def reminder_values(self) -> dict[str, Any]:
        """`reminder` (a rule, or None for none) or `remind_at` (a wall-clock time)."""
        choice = self.reminder.data or ""
        if choice == CUSTOM_REMINDER:
            return {"remind_at": self.remind_at.data}
        if choice == DEFAULT_REMINDER:
            return {}
        return {"reminder": choice if choice in REMINDER_RULES else None}

    def payload(self, *, partial: bool, unchanged: Mapping[str, Any] | None = None) -> dict:
        """The API's fields for `create_task` (`partial=False`) or `update_task` (`True`).

        Empty fields are left out when creating and sent as None (clear it) when updating.
        A typed contact or company name goes along only when no record was picked: a picked
        id wins over leftover text. Values in `unchanged` that the person did not touch are
        left out, so saving an untouched form cannot shift them (a time shown to the minute).
        """
        values: dict[str, Any] = {
            "title": self.title.data,
            "description": self.description.data,
            "status": self.status.data,
            "priority": self.priority.data,
            "task_type": self.task_type.data,
            "due_date": self.due_value(),
            "assignee_id": self.assignee_id.data,
            "created_date": self.created_date.data,
        }
        for kind, id_field, _text_field, _segment in LINKS:
            values[id_field] = getattr(self, id_field).data
            name_field = NAME_FIELDS.get(kind)
            if name_field and not strip_or_none(values[id_field]):
                name = strip_or_none(getattr(self, name_field).data)
                if name or not partial:
                    values[name_field] = name
        for name, shown in (unchanged or {}).items():
            if (values.get(name) or "") == shown:
                del values[name]
        values = {name: strip_or_none(value) for name, value in values.items()}
        if not partial:
            values = {name: value for name, value in values.items() if value is not None}
        rule = recurrence_text(
            self.repeat.data,
            self.repeat_interval.data,
            self.repeat_days.data,
            self.repeat_month_day.data,
            self.repeat_end.data,
            self.repeat_until.data,
            self.repeat_count.data,
        )
        changed = not unchanged or rule != unchanged.get("_recurrence")
        if (rule is not None or partial) and changed:
            values["recurrence"] = rule
        reminder = self.reminder_values()
        if not unchanged or reminder != unchanged.get("_reminder"):
            # "No reminder" is said explicitly, so the user's default does not apply.
            values.update({name: strip_or_none(value) for name, value in reminder.items()})
        return values


# A picked record's id (hidden) and its combobox's text, for every kind of parent record
# (app/kinds.py). Names of contacts and companies are resolved by the service, so their
# text is as long as a name may be; the others' text is only an autocomplete query.
for _kind in kinds.KINDS:
    setattr(TaskForm, _kind.id_field, HiddenField())
    setattr(
        TaskForm,
        _kind.text_field,
        StringField(
            _kind.label,
            render_kw={"maxlength": NAME_QUERY_MAX if _kind.name_field else QUERY_MAX},
        ),
    )
del _kind


def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA zone this machine knows, as (value, label) pairs."""
    from zoneinfo import available_timezones

    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [(zone, zone.replace("_", " ")) for zone in ["UTC", *zones]]


class NotificationSettingsForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=False)
    default_reminder = SelectField(_l("Default reminder for new tasks"), validate_choice=False)
    notify_reminders = BooleanField(_l("Reminder emails"))
    notify_digest = BooleanField(_l("Morning digest at 08:00"))
    notify_assignments = BooleanField(_l("When someone assigns me a task"))


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[InputRequired()], render_kw={"maxlength": API_KEY_NAME_MAX}
    )
    scopes = MultiCheckboxField(
        _l("Scopes"),
        choices=choices([(scope, scope) for scope in KNOWN_SCOPES]),
        default=list(KNOWN_SCOPES),
        validate_choice=False,
    )


class ChangePasswordForm(FlaskForm):
    """Carries what people type; `accounts.change_password` checks every rule."""

    current_password = PasswordField(_l("Current password"))
    new_password = PasswordField(_l("New password"))
    confirm_password = PasswordField(_l("New password, again"))
