"""Quick add in the browser: one line of text, a preview of what it means, Enter saves.

The field sits at the top of the task list (templates/tasks/_quick_add.html). With htmx, typing
fetches the preview fragment and Enter swaps the whole quick-add form; without JavaScript
the same form posts and the preview or the error is a page. Reading the line and saving
the task are `app.services.quick_add`'s (docs/quick_add.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.i18n import current_language, format_day, format_moment
from app.services import quick_add
from app.services.accounts import WRITE
from app.services.errors import AmbiguousReference, ValidationError
from app.web import bp
from app.web.helpers import (
    current_actor,
    form_error_status,
    is_htmx,
    priority_label,
    safe_next,
    task_type_label,
    workspace_zone,
)
from app.web.workbench import LIST_CHANGED_EVENT

#: The form field a candidate button sends: `contact:<id>`, `due_date:<value>`.
PICK_FIELD = "pick"
#: The hidden fields that carry choices already made, one per question kind.
CHOICE_PREFIX = "choice_"
#: How each chip is labelled, in the order chips are shown.
CHIP_KINDS = ("contact", "company", "deal", "event", "due", "priority", "task_type", "assignee")


def chip_label(kind: str) -> str:
    return {
        "contact": _("Contact"),
        "company": _("Company"),
        "deal": _("Deal"),
        "event": _("Event"),
        "due": _("Due"),
        "priority": _("Priority"),
        "task_type": _("Type"),
        "assignee": _("Assignee"),
    }[kind]


def question_text(question: quick_add.Question) -> str:
    """A question in the reader's language (the service's message is the API's English)."""
    said = question.text
    return {
        "ambiguous": _("Several match “%(text)s”. Which one do you mean?", text=said),
        "partial": _("Do you mean this by “%(text)s”? Choose it to link it.", text=said),
        "no_match": _("Nobody active in this workspace is called “%(text)s”.", text=said),
        "invalid_date": _("“%(text)s” is not a real date.", text=said),
        "nonexistent_time": _(
            "The clocks skip this time on that day (daylight saving). Choose a time."
        ),
        "repeated_time": _(
            "This time happens twice on that day (the clocks go back). Choose which."
        ),
        "several_dates": _("“%(text)s” names more than one date or time: choose one.", text=said),
    }[question.reason]


def _choices() -> dict[str, str]:
    """Choices made so far (hidden fields), and the candidate just picked (a button)."""
    chosen = {
        name.removeprefix(CHOICE_PREFIX): value
        for name, value in request.form.items()
        if name.startswith(CHOICE_PREFIX) and value
    }
    picked = request.form.get(PICK_FIELD, "")
    kind, _sep, value = picked.partition(":")
    if kind in quick_add.QUESTION_KINDS and value:
        chosen[kind] = value
    return chosen


def _locale() -> str:
    """The page's language decides how 3/12 reads (docs/quick_add.md)."""
    language = current_language()
    return language if language in quick_add.LOCALES else quick_add.DEFAULT_LOCALE


def _chips(parsed: quick_add.Parsed) -> list[dict[str, str]]:
    spans = {span.kind: span for span in parsed.spans}
    chips = []
    for kind in CHIP_KINDS:
        if kind == "due":
            if "due_date" in parsed.fields:
                chips.append({"kind": kind, "label": chip_label(kind), "value": _due_label(parsed)})
            continue
        span = spans.get(kind)
        if span is None:
            continue
        value = span.label
        if kind == "priority":
            value = priority_label(span.value)
        elif kind == "task_type":
            value = task_type_label(span.value)
        chips.append({"kind": kind, "label": chip_label(kind), "value": value})
    return chips


def _candidate_label(question: quick_add.Question, candidate: quick_add.Choice) -> str:
    """A record's or person's name as it is; a due date in the reader's format, with its
    offset where the clocks change (so 02:30 +02:00 and 02:30 +01:00 differ)."""
    if question.kind != "due_date":
        return candidate.label
    label = _format_due(candidate.value)
    if question.reason in ("nonexistent_time", "repeated_time"):
        label += f" (UTC{datetime.fromisoformat(candidate.value):%z})"
    return label


def _due_label(parsed: quick_add.Parsed) -> str:
    return _format_due(parsed.fields["due_date"])


def _format_due(due: str) -> str:
    if "T" not in due:
        return format_day(date.fromisoformat(due))
    return format_moment(datetime.fromisoformat(due))


def full_form_url(parsed: quick_add.Parsed | None, next_url: str | None) -> str:
    """The full form with what the line gave filled in (GET parameters it understands)."""
    values: dict[str, Any] = {"next": next_url} if next_url else {}
    if parsed is not None:
        fields = dict(parsed.fields)
        due = fields.pop("due_date", None)
        if due and "T" in due:
            local = datetime.fromisoformat(due).astimezone(workspace_zone())
            values.update(due_date=local.date().isoformat(), due_time=f"{local:%H:%M}")
        elif due:
            values["due_date"] = due
        values.update(fields)
    return url_for("web.task_new", **values)


def render_quick_add(
    *,
    text: str = "",
    parsed: quick_add.Parsed | None = None,
    error: str | None = None,
    saved: str | None = None,
    fragment: str,
    status: int = 200,
):
    """The quick-add form (`fragment="form"`), its preview alone (`"preview"`), or a page."""
    next_url = safe_next(request.form.get("next") or request.args.get("next"))
    context = {
        "quick_text": text,
        "quick_parsed": parsed,
        "quick_chips": _chips(parsed) if parsed else [],
        "quick_questions": [
            (q, question_text(q), [(c, _candidate_label(q, c)) for c in q.candidates])
            for q in (parsed.questions if parsed else [])
        ],
        "quick_error": error,
        "quick_saved": saved,
        "quick_next": next_url or url_for("web.task_list"),
        "quick_full_form_url": full_form_url(parsed, next_url),
        "quick_choices": _kept_choices(parsed),
        "none_choice": quick_add.NONE_CHOICE,
        "record_kinds": quick_add.RECORD_KINDS,
    }
    template = {
        "form": "tasks/_quick_add.html",
        "preview": "tasks/_quick_add_preview.html",
        "page": "tasks/quick_add.html",
    }[fragment]
    return make_response(render_template(template, **context), status)


def _kept_choices(parsed: quick_add.Parsed | None) -> dict[str, str]:
    """The choices that still apply, to send again with the next keystroke or the save."""
    if parsed is None:
        return {}
    chosen = _choices()
    asked = {q.kind for q in parsed.questions}
    return {kind: value for kind, value in chosen.items() if kind not in asked}


def _read(text: str) -> quick_add.Parsed | None:
    if not text.strip():
        return None
    return quick_add.parse(current_actor(), text, locale=_locale(), choices=_choices())


@bp.post("/tasks/quick-add/preview")
def quick_add_preview():
    """What the line would create: the preview fragment to htmx, else a page."""
    current_actor().require(WRITE)
    text = request.form.get("text", "")
    try:
        parsed = _read(text)
    except ValidationError as error:
        message = next(iter(error.fields.values()), error.message)
        return render_quick_add(
            text=text,
            error=_("The text %(problem)s.", problem=message),
            fragment="preview" if is_htmx() else "page",
        )
    return render_quick_add(text=text, parsed=parsed, fragment="preview" if is_htmx() else "page")


@bp.post("/tasks/quick-add")
def quick_add_save():
    """Create the task the line describes; any question or error keeps the text."""
    actor = current_actor()
    actor.require(WRITE)
    text = request.form.get("text", "")
    if request.form.get("action") == "preview":  # the preview button, without JavaScript
        try:
            return render_quick_add(
                text=text, parsed=_read(text), fragment="form" if is_htmx() else "page"
            )
        except ValidationError:
            return quick_add_preview()
    parsed = None
    try:
        parsed = _read(text)
        if parsed is None:
            raise ValidationError.for_fields({"text": _("must not be empty")})
        _parsed, created = quick_add.create(
            actor,
            text,
            locale=_locale(),
            choices=_choices(),
            default_assignee_id=actor.user_id,  # as the full form: the task is yours
        )
    except AmbiguousReference:
        db.session.rollback()
        error = _("Choose what you mean below, then press Enter again.")
    except ValidationError as failure:
        db.session.rollback()
        error = _saving_problem(failure, parsed)
    else:
        title = created.task.title
        if is_htmx():
            response = render_quick_add(
                saved=_("Created “%(title)s”.", title=title), fragment="form"
            )
            response.headers["HX-Trigger"] = LIST_CHANGED_EVENT
            return response
        flash(_("Created “%(title)s”.", title=title), "success")
        return redirect(safe_next(request.form.get("next")) or url_for("web.task_list"), code=303)
    return render_quick_add(
        text=text,
        parsed=parsed,
        error=error,
        fragment="form" if is_htmx() else "page",
        status=form_error_status(),
    )


def _saving_problem(failure: ValidationError, parsed: quick_add.Parsed | None) -> str:
    if "text" in failure.fields:
        return _("Type what the task is about, e.g. “Call Hans Müller tomorrow 10:00”.")
    if "parent_link" in failure.fields:
        return _("Name a contact, company, deal or event in the text, so the task is linked to it.")
    if "title" in failure.fields:
        return _("The task needs a title: words besides the date and the markers.")
    if parsed is not None and parsed.questions:
        return _("Choose what you mean below, then press Enter again.")
    return _("The task was not saved: %(problem)s", problem=failure.message)
