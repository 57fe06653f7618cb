"""Quick add: one line of English or German text becomes a task's fields (docs/quick_add.md).

`parse` reads the line and says what it understood: the fields a task would get, each
understood part as a span of the text (start, end, kind, value), and whatever it could not
decide on its own (an ambiguous or weak name, an impossible date, a local time that a
daylight-saving change skips or repeats) with candidates to choose from. It writes nothing.
`create` parses again, applies the choices made, and creates the task through
`tasks.create_task`, so every rule of docs/rules.md holds as for any other task.

The grammar is small and written by hand (no date library): the rules of what counts as a
date are ours, and a library that reads "May" or "Monday" anywhere in a line would eat
words of titles. Names are found by trying the line's word runs against the same matcher
as `contact_name` / `company_name` (`references.resolve_name`); this module only decides
which runs of words to ask about and whether an answer covers the name.
"""

from __future__ import annotations

import calendar
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from app import kinds
from app.extensions import db
from app.services import dates, references
from app.services.accounts import READ, Actor, assignable_users
from app.services.errors import AmbiguousReference, Candidate, ValidationError
from app.services.tasks import (
    TITLE_MAX,
    CreatedTask,
    actor_zone,
    create_task,
    text_problem,
)
from app.services.text import fold_name, name_key
from app.vocabulary import TaskPriority

#: The longest line quick add reads (a title is at most 255 characters; markers add some).
TEXT_MAX = 500
#: The languages whose date order quick add knows: only English reads 3/12 as 12 March.
LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
#: Record kinds a line may link, in the order their spans are looked for.
RECORD_KINDS = tuple(kind.key for kind in kinds.KINDS)
#: The longest run of words tried as a record's name.
MAX_NAME_WORDS = 5
#: What a span may say, and what a question may be about and why (docs/quick_add.md).
SPAN_KINDS = ("due_date", "due_time", "priority", "task_type", "assignee", *RECORD_KINDS)
QUESTION_KINDS = ("due_date", "assignee", *RECORD_KINDS)
QUESTION_REASONS = (
    "ambiguous",
    "partial",
    "no_match",
    "invalid_date",
    "nonexistent_time",
    "repeated_time",
    "several_dates",
)
#: Questions whose text stays in the title: nothing of it was understood.
KEPT_IN_TITLE = ("invalid_date", "no_match")
#: What a choice may say instead of a record: link none of the candidates.
NONE_CHOICE = "none"

#: `!word` → priority, in both languages (app/vocabulary.py holds the values).
PRIORITY_WORDS: dict[str, str] = {
    "high": TaskPriority.HIGH,
    "hoch": TaskPriority.HIGH,
    "urgent": TaskPriority.HIGH,
    "dringend": TaskPriority.HIGH,
    "medium": TaskPriority.MEDIUM,
    "mittel": TaskPriority.MEDIUM,
    "normal": TaskPriority.MEDIUM,
    "low": TaskPriority.LOW,
    "niedrig": TaskPriority.LOW,
}
#: `#word` → task type (the values the form suggests, tasks.SUGGESTED_TASK_TYPES).
TASK_TYPE_WORDS: dict[str, str] = {
    "call": "call",
    "anruf": "call",
    "telefon": "call",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "meeting": "meeting",
    "termin": "meeting",
    "treffen": "meeting",
    "follow_up": "follow_up",
    "followup": "follow_up",
    "follow-up": "follow_up",
    "nachfassen": "follow_up",
    "todo": "todo",
    "aufgabe": "todo",
}
#: Words that never begin or end a name (they join it to the rest of the sentence).
STOPWORDS = frozenset(
    (
        "a", "an", "the", "to", "re", "for", "with", "and", "or", "of", "at", "on",
        "in", "by", "about", "from", "regarding", "per", "via", "is", "my", "our",
        "your", "his", "her", "their", "this", "that", "these", "those", "about",
        "after", "before", "call", "email", "mail", "send", "meet", "review", "prepare",
        "ask", "check", "remind", "follow", "up", "ping", "book", "plan", "discuss",
        "update", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen",
        "einem", "einer", "an", "am", "zu", "zum", "zur", "mit", "und", "oder", "von",
        "vom", "bei", "beim", "für", "fur", "wegen", "über", "uber", "betreff", "bzgl",
        "auf", "aus", "im", "in", "ins", "nach", "vor", "anrufen", "schicken", "senden",
        "mailen", "treffen", "prüfen", "prufen", "vorbereiten", "besprechen", "erinnern",
    )
)  # fmt: skip
#: Words of a company's legal form, not counted when deciding whether a run of words
#: covers a whole name ("Müller Logistik" names "Müller Logistik GmbH").
LEGAL_FORMS = frozenset(
    (
        "gmbh", "ag", "kg", "ug", "ohg", "gbr", "se", "co", "inc", "ltd", "llc", "corp",
        "corporation", "plc", "sa", "sarl", "bv", "nv",
    )
)  # fmt: skip


# ---------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Span:
    """A part of the text that was understood: `text[start:end]` means `kind` = `value`."""

    start: int
    end: int
    kind: str
    value: str
    label: str
    #: Record names stay in the title ("Call Hans Müller"); markers and dates leave it.
    in_title: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "value": self.value,
            "label": self.label,
            "in_title": self.in_title,
        }


@dataclass(frozen=True)
class Choice:
    """One candidate of a question: the value a field would get, and how people know it."""

    value: str
    label: str
    score: float | None = None
    email: str | None = None
    company: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "label": self.label,
            "score": self.score,
            "email": self.email,
            "company": self.company,
        }


@dataclass(frozen=True)
class Question:
    """What the parser would not decide alone: `kind` is the field, `reason` why.

    Reasons: `ambiguous` (several records or users fit), `partial` (a lone first or last
    name, or one word close to a name: a weak match, never linked without a choice),
    `no_match` (an @name nobody is called), `invalid_date` (31 April), `nonexistent_time`
    and `repeated_time` (a local time a daylight-saving change skips or repeats),
    `several_dates` (two dates in one line).
    """

    kind: str
    reason: str
    start: int
    end: int
    text: str
    message: str
    candidates: tuple[Choice, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            "candidates": [c.as_dict() for c in self.candidates],
        }


@dataclass
class Parsed:
    """What a line would create: `fields` as `POST /v1/tasks` takes them, and why."""

    text: str
    title: str
    fields: dict[str, str]
    spans: list[Span]
    questions: list[Question]
    timezone: str
    locale: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "title": self.title,
            "fields": self.fields,
            "spans": [span.as_dict() for span in self.spans],
            "questions": [q.as_dict() for q in self.questions],
            "timezone": self.timezone,
            "locale": self.locale,
        }

    def span(self, kind: str) -> Span | None:
        return next((s for s in self.spans if s.kind == kind), None)

    def question(self, kind: str) -> Question | None:
        return next((q for q in self.questions if q.kind == kind), None)


# ---------------------------------------------------------------------------------------
# Entry points


def parse(
    actor: Actor,
    text: Any,
    *,
    timezone: str | None = None,
    locale: str | None = None,
    now: datetime | None = None,
    choices: Mapping[str, str] | None = None,
) -> Parsed:
    """Read `text` (see the module's docstring); `choices` answers earlier questions.

    `choices` maps a question's kind to the value of one of its candidates (or `none`, for
    a record: link nothing). Raises ValidationError for text that is not a line of text,
    an unknown zone or locale.
    """
    actor.require(READ)
    problems: dict[str, str] = {}
    if not isinstance(text, str):
        problems["text"] = "must be a string"
    elif text_problem(text):
        problems["text"] = text_problem(text) or ""
    elif not text.strip():
        problems["text"] = "must not be empty"
    elif len(text) > TEXT_MAX:
        problems["text"] = f"must be at most {TEXT_MAX} characters (got {len(text)})"
    tz = None
    if timezone is not None:
        try:
            tz = dates.zone(timezone) if isinstance(timezone, str) else None
        except ValueError:
            tz = None
        if tz is None:
            problems["timezone"] = "is not an IANA time zone such as Europe/Berlin"
    if locale is not None and locale not in LOCALES:
        problems["locale"] = f"must be one of {', '.join(LOCALES)}"
    if problems:
        raise ValidationError.for_fields(problems)
    tz = tz or actor_zone(actor)
    reader = _Reader(actor, text, tz, locale or DEFAULT_LOCALE, now or dates.now())
    reader.read(dict(choices or {}))
    return reader.result()


def create(
    actor: Actor,
    text: str,
    *,
    choices: Mapping[str, str] | None = None,
    timezone: str | None = None,
    locale: str | None = None,
    now: datetime | None = None,
    default_assignee_id: uuid.UUID | None = None,
) -> tuple[Parsed, CreatedTask]:
    """Parse `text` and create its task; an open question is an error, nothing is written.

    `default_assignee_id` is whom the task goes to when the line names nobody with `@`
    (the browser passes the person typing, as its form does).

    An unanswered name question raises AmbiguousReference (its candidates as the form
    shows them); any other raises ValidationError on `due_date` or `assignee_id`.
    """
    parsed = parse(actor, text, timezone=timezone, locale=locale, now=now, choices=choices)
    for question in parsed.questions:
        if question.kind in RECORD_KINDS or question.kind == "assignee":
            raise AmbiguousReference(
                f"{question.kind}_id" if question.kind != "assignee" else "assignee_id",
                question.kind,
                [
                    Candidate(c.value, c.label, c.score or 0.0, c.email, c.company)
                    for c in question.candidates
                ],
            )
        raise ValidationError.for_fields({"due_date": question.message})
    fields = dict(parsed.fields)
    if default_assignee_id is not None and "assignee_id" not in fields:
        fields["assignee_id"] = str(default_assignee_id)
    return parsed, create_task(actor, fields, now=now)


# ---------------------------------------------------------------------------------------
# The date and time grammar (docs/quick_add.md has it in words)

_WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("monday", "montag"), 0),
    **dict.fromkeys(("tuesday", "dienstag"), 1),
    **dict.fromkeys(("wednesday", "mittwoch"), 2),
    **dict.fromkeys(("thursday", "donnerstag"), 3),
    **dict.fromkeys(("friday", "freitag"), 4),
    **dict.fromkeys(("saturday", "samstag", "sonnabend"), 5),
    **dict.fromkeys(("sunday", "sonntag"), 6),
}
#: Short weekday names, read only after a word that makes them a date ("on Fri").
_SHORT_WEEKDAYS: dict[str, int] = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_MONTHS: dict[str, int] = {
    **dict.fromkeys(("january", "januar", "jänner", "jan"), 1),
    **dict.fromkeys(("february", "februar", "feb"), 2),
    **dict.fromkeys(("march", "märz", "maerz", "mar", "mär", "mrz"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("may", "mai"), 5),
    **dict.fromkeys(("june", "juni", "jun"), 6),
    **dict.fromkeys(("july", "juli", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("october", "oktober", "oct", "okt"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dezember", "dec", "dez"), 12),
}
_NUMBER_WORDS: dict[str, int] = {
    **dict.fromkeys(("a", "an", "one", "ein", "einen", "einem", "einer", "eins"), 1),
    **dict.fromkeys(("two", "zwei"), 2),
    **dict.fromkeys(("three", "drei"), 3),
    **dict.fromkeys(("four", "vier"), 4),
    **dict.fromkeys(("five", "fünf", "funf"), 5),
    **dict.fromkeys(("six", "sechs"), 6),
    **dict.fromkeys(("seven", "sieben"), 7),
    **dict.fromkeys(("eight", "acht"), 8),
    **dict.fromkeys(("nine", "neun"), 9),
    **dict.fromkeys(("ten", "zehn"), 10),
}
_UNITS: dict[str, str] = {
    **dict.fromkeys(("day", "days", "tag", "tage", "tagen"), "day"),
    **dict.fromkeys(("week", "weeks", "woche", "wochen"), "week"),
    **dict.fromkeys(("month", "months", "monat", "monate", "monaten"), "month"),
}


def _alternatives(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_WD = _alternatives(_WEEKDAYS)
_SWD = _alternatives(_SHORT_WEEKDAYS)
_MON = _alternatives(_MONTHS)
_NUM = r"\d{1,3}|" + _alternatives(_NUMBER_WORDS)
_UNIT = _alternatives(_UNITS)
# A word ends where no letter, digit or apostrophe follows ("today's" is not "today").
_END = r"(?![\w'’])"
_START = r"(?<![\w'’#@!/.:-])"
#: Words before a date that make it one wherever it stands: "on Friday", "am Montag".
_STRONG = (
    r"(?:on|by|until|till|due(?:\s+on|\s+by)?|this|next|coming|am|bis(?:\s+zum|\s+am)?|zum|"
    r"ab|diesen|dieser|diese|diesem|nächsten|nächster|nächste|naechsten|kommenden|kommender)"
)
#: Words before a date that go with it only where it ends the line ("for Friday").
_WEAK = r"(?:for|für|fur)"
_TIME = (
    r"(?:(?:at|um|gegen|ab)\s+)?"
    r"(?:(?P<h1>[01]?\d|2[0-3])[:.](?P<m1>[0-5]\d)\s*(?:(?P<ap1>[ap])\.?m\.?|uhr)"
    + _END
    + r"|(?P<h2>[01]?\d|2[0-3]):(?P<m2>[0-5]\d)(?![\w:'’.]\w)"
    r"|(?P<h3>1[0-2]|0?[1-9])\s*(?P<ap3>[ap])\.?m\.?" + _END + r"(?!\s+(?:" + _WD + r"))"
    r"|(?P<h4>[01]?\d|2[0-3])\s+uhr"
    + _END
    + r"|(?P<noon>noon|mittags)"
    + _END
    # "at 10" / "um 10": an hour alone, only where it ends the line (see `_Reader.read_due`).
    + r"|(?<=at\s)(?P<h5>[01]?\d|2[0-3])(?![\w:.,/%])|(?<=um\s)(?P<h6>[01]?\d|2[0-3])(?![\w:.,/%])"
    + r")"
)
_MARKER = r"[!#@][\w.-]+"


def _named_groups_off(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


#: A German infinitive may close the line after its date: "Hans Freitag anrufen".
_VERB_LAST = r"(?-i:[a-zäöüß]+(?:en|ern|eln))"
#: A part of the day next to a date goes with it; the date stays date-only (no time is
#: made up): "Freitag früh", "tomorrow afternoon", "in the morning on Monday".
_PART_OF_DAY = (
    r"(?:in\s+the\s+)?(?:morning|afternoon|evening)|früh|fruh|morgens|vormittags|"
    r"nachmittags|abends"
)
_PART_AFTER = re.compile(r"^\s+(?:" + _PART_OF_DAY + r")(?![\w'’])", re.IGNORECASE)
_PART_BEFORE = re.compile(r"(?<![\w'’])(?:" + _PART_OF_DAY + r")\s+$", re.IGNORECASE)
_TAIL_PART = (
    r"(?:" + _named_groups_off(_TIME) + r"|" + _PART_OF_DAY + r"|" + _MARKER + r"|[.,;:!?)\-–])"
)
_TAIL = re.compile(
    r"^(?:\s*" + _TAIL_PART + r")*(?:\s+" + _VERB_LAST + r")?(?:\s*" + _TAIL_PART + r")*\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _DateRule:
    """One date phrase: its pattern, and whether it needs a strong word or the line's end."""

    name: str
    pattern: re.Pattern[str]
    anywhere: bool


def _rule(name: str, body: str, *, anywhere: bool) -> _DateRule:
    prefix = rf"(?:(?P<strong>{_STRONG})\s+|(?P<weak>{_WEAK})\s+)?"
    return _DateRule(
        name, re.compile(_START + prefix + "(?:" + body + ")" + _END, re.IGNORECASE), anywhere
    )


_DATE_RULES: tuple[_DateRule, ...] = (
    _rule("iso", r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})", anywhere=True),
    # 12.3. / 12.03.2027 / 12.3.27: day first, whatever the language.
    _rule(
        "dotted",
        r"(?P<d>[0-3]?\d)\.(?P<mo>[01]?\d)\.(?P<y>\d{4}|\d{2})?(?!\d)(?=\W|$)",
        anywhere=True,
    ),
    # 3/12 (English: month first) or 3/12 (German: day first), optionally /2027.
    _rule(
        r"slash", r"(?P<a>[01]?\d|[23]\d)/(?P<b>[0-3]?\d)(?:/(?P<y>\d{4}|\d{2}))?", anywhere=False
    ),
    _rule(
        "day_month",
        r"(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th|\.)?\s+(?:of\s+)?(?P<mon>" + _MON + r")\.?"
        r"(?:,?\s+(?P<y>\d{4}))?",
        anywhere=True,
    ),
    _rule(
        "month_day",
        r"(?P<mon>" + _MON + r")\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?!\d|\.\d|:)"
        r"(?:,?\s+(?P<y>\d{4}))?",
        anywhere=True,
    ),
    _rule("relative", r"in\s+(?P<n>" + _NUM + r")\s+(?P<unit>" + _UNIT + r")", anywhere=True),
    _rule(
        "after_tomorrow",
        r"(?:the\s+)?day\s+after\s+tomorrow|übermorgen|uebermorgen",
        anywhere=True,
    ),
    _rule(
        "end_of_month",
        r"(?:the\s+)?end\s+of\s+(?:the\s+)?month|monatsende|ende\s+des\s+monats|eom",
        anywhere=False,
    ),
    _rule(
        "weekday_next_week",
        r"(?P<wd>" + _WD + r")\s+(?:next\s+week|nächste\s+woche|naechste\s+woche)",
        anywhere=False,
    ),
    _rule("next_week", r"next\s+week|nächste\s+woche|naechste\s+woche", anywhere=False),
    _rule("weekday", r"(?P<wd>" + _WD + r")", anywhere=False),
    _rule("short_weekday", r"(?P<wd>" + _SWD + r")\.?", anywhere=False),
    # "on the 5th", "am 5.": a day of this or next month, only after on/am and at the end.
    _rule("day_only", r"(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th|\.)", anywhere=False),
    _rule("today", r"tonight|this\s+evening|heute\s+abend|today|heute", anywhere=True),
    _rule(
        "tomorrow",
        r"tomorrow|tmrw|tmr|(?<!\bam\s)(?<!\bguten\s)(?<!\bjeden\s)morgen",
        anywhere=True,
    ),
)
_TIME_RULE = re.compile(_START + _TIME, re.IGNORECASE)
_MARKERS = re.compile(r"(?<!\S)(?P<sigil>[!#@])(?P<word>[^\s!#@,;]+)")


def _core(name: str) -> list[str]:
    """A name's folded words, sorted, without legal forms: what "the whole name" means."""
    return [word for word in name_key(name).split() if word not in LEGAL_FORMS]


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_day_month(today: date, day: int, month: int) -> date | None:
    """The first `day`.`month` on or after today (29 Feb: the next leap year's)."""
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _day_of_month(today: date, day: int) -> date:
    """The first `day` of a month on or after today (the 31st: the next month that has one)."""
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise _DateProblem(f"no month has a day {day}")


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    value = int(raw)
    return value + 2000 if value < 100 else value


class _DateProblem(Exception):
    """A phrase that is a date's shape but no date (31 April)."""


def _date_of(rule: str, match: re.Match[str], today: date, locale: str) -> date:
    """The calendar day `match` names, seen from `today`; _DateProblem for none."""
    g = match.groupdict()
    if rule == "today":
        return today
    if rule == "tomorrow":
        return today + timedelta(days=1)
    if rule == "after_tomorrow":
        return today + timedelta(days=2)
    if rule in ("weekday", "short_weekday"):
        weekday = {**_WEEKDAYS, **_SHORT_WEEKDAYS}[g["wd"].casefold()]
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if rule == "next_week":
        return today + timedelta(days=7 - today.weekday())
    if rule == "weekday_next_week":
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=_WEEKDAYS[g["wd"].casefold()])
    if rule == "day_only":
        return _day_of_month(today, int(g["d"]))
    if rule == "end_of_month":
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if rule == "relative":
        raw = g["n"].casefold()
        count = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        unit = _UNITS[g["unit"].casefold()]
        if unit == "month":
            return _add_months(today, count)
        return today + timedelta(days=count * (7 if unit == "week" else 1))
    if rule == "slash":
        first, second = int(g["a"]), int(g["b"])
        month, day = (first, second) if locale == "en" else (second, first)
        return _calendar_day(day, month, _year(g["y"]), today)
    if rule in ("day_month", "month_day"):
        return _calendar_day(int(g["d"]), _MONTHS[g["mon"].casefold()], _year(g["y"]), today)
    return _calendar_day(int(g["d"]), int(g["mo"]), _year(g["y"]), today)


def _calendar_day(day: int, month: int, year: int | None, today: date) -> date:
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            raise _DateProblem(f"{day}.{month}.{year} is not a real date") from None
    found = _next_day_month(today, day, month) if 1 <= month <= 12 else None
    if found is None:
        raise _DateProblem(f"{day}.{month}. is not a real date")
    return found


def _time_of(match: re.Match[str]) -> time:
    g = match.groupdict()
    if g["noon"]:
        return time(12, 0)
    for hour_group, minute_group, ampm_group in (
        ("h1", "m1", "ap1"),
        ("h2", "m2", None),
        ("h3", None, "ap3"),
        ("h4", None, None),
        ("h5", None, None),
        ("h6", None, None),
    ):
        if g[hour_group] is None:
            continue
        hour = int(g[hour_group])
        minute = int(g[minute_group]) if minute_group else 0
        ampm = (g[ampm_group] or "").casefold() if ampm_group else ""
        if ampm == "p" and hour < 12:
            hour += 12
        elif ampm == "a" and hour == 12:
            hour = 0
        return time(hour, minute)
    raise AssertionError("a time match names an hour")  # pragma: no cover


def local_instants(day: date, at: time, tz: tzinfo) -> list[datetime]:
    """Every instant the wall-clock time `day` `at` names in `tz`: one; none (skipped by a
    daylight-saving change); or two (repeated)."""
    naive = datetime.combine(day, at)
    found = []
    for fold in (0, 1):
        moment = naive.replace(tzinfo=tz, fold=fold)
        if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
            found.append(moment)
    if len(found) == 2 and found[0].utcoffset() == found[1].utcoffset():
        found = found[:1]
    return found


def format_due(day: date, moment: datetime | None = None) -> str:
    """The due date as `POST /v1/tasks` takes it: a calendar day, or local time with offset."""
    if moment is None:
        return day.isoformat()
    return moment.isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------
# The reader


@dataclass
class _Found:
    start: int
    end: int
    kind: str
    value: Any
    label: str


@dataclass
class _Reader:
    actor: Actor
    text: str
    tz: tzinfo
    locale: str
    now: datetime
    spans: list[Span] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    taken: list[tuple[int, int]] = field(default_factory=list)
    #: Where the first word not read as a date or marker starts (see `read_names`).
    opening: int = -1

    # -- bookkeeping

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.taken)

    def take(self, span: Span) -> None:
        self.spans.append(span)
        self.taken.append((span.start, span.end))

    def ask(self, question: Question) -> None:
        self.questions.append(question)
        self.taken.append((question.start, question.end))

    def read(self, choices: dict[str, str]) -> None:
        self.read_markers(choices)
        self.read_due(choices)
        self.read_names(choices)

    def result(self) -> Parsed:
        title = self.title()
        fields = {"title": title, **self.fields} if title else dict(self.fields)
        self.spans.sort(key=lambda s: s.start)
        self.questions.sort(key=lambda q: q.start)
        return Parsed(
            self.text,
            title,
            fields,
            self.spans,
            self.questions,
            getattr(self.tz, "key", str(self.tz)),
            self.locale,
        )

    def title(self) -> str:
        """The text without what left it: markers, dates and times (names stay)."""
        cut = sorted(
            [(s.start, s.end) for s in self.spans if not s.in_title]
            + [
                (q.start, q.end)
                for q in self.questions
                if q.kind not in RECORD_KINDS and q.reason not in KEPT_IN_TITLE
            ]
        )
        parts, position = [], 0
        for start, end in cut:
            parts.append(self.text[position : max(position, start)])
            # Closing punctuation of a date that ends the line goes with it: "…, tomorrow!"
            rest = self.text[end:]
            if rest.strip() and not rest.strip().strip(".!?"):
                end = len(self.text)
            position = max(position, end)
        parts.append(self.text[position:])
        title = " ".join("".join(parts).split())
        title = re.sub(r"\s+([,;:.!?])(?=\s|$)", r"\1", title).strip(" ,;:-–").strip()
        if cut and cut[0][0] == len(self.text) - len(self.text.lstrip()):
            title = title[:1].upper() + title[1:]  # "Tomorrow: call Hans" → "Call Hans"
        return title

    # -- markers: !priority #type @assignee

    def read_markers(self, choices: dict[str, str]) -> None:
        for match in _MARKERS.finditer(self.text):
            sigil, word = match["sigil"], match["word"].rstrip(".")
            start, end = match.start(), match.start() + 1 + len(word)
            key = word.casefold()
            if sigil == "!" and key in PRIORITY_WORDS and "priority" not in self.fields:
                value = PRIORITY_WORDS[key]
                self.fields["priority"] = value
                self.take(Span(start, end, "priority", value, TaskPriority.label_of(value)))
            elif sigil == "#" and key in TASK_TYPE_WORDS and "task_type" not in self.fields:
                value = TASK_TYPE_WORDS[key]
                self.fields["task_type"] = value
                self.take(Span(start, end, "task_type", value, value.replace("_", " ")))
            elif sigil == "@" and "assignee_id" not in self.fields and word[:1].isalpha():
                self.read_assignee(start, end, word, choices.get("assignee"))

    def read_assignee(self, start: int, end: int, word: str, chosen: str | None) -> None:
        users = {user.id: user for user in assignable_users(self.actor)}
        query = word.replace(".", " ").replace("_", " ")
        key = name_key(query)
        exact = [uid for uid, user in users.items() if name_key(user.name) == key]
        ranked = references.rank_names(
            query, {uid: fold_name(user.name) for uid, user in users.items()}, 10
        )
        scores = {m.id: m.score for m in ranked}
        if len(exact) == 1:
            found: list[uuid.UUID] = exact
        elif exact:
            found = exact
        elif ranked and (
            len(ranked) == 1 or ranked[0].score - ranked[1].score >= references.CLEAR_MARGIN
        ):
            found = [ranked[0].id]
        else:
            found = [m.id for m in ranked]
        candidates = tuple(
            Choice(str(uid), users[uid].name, scores.get(uid, 100.0), users[uid].email)
            for uid in found
        )
        if chosen and any(c.value == chosen for c in candidates):
            found = [uuid.UUID(chosen)]
        if len(found) == 1:
            user = users[found[0]]
            self.fields["assignee_id"] = str(user.id)
            self.take(Span(start, end, "assignee", str(user.id), user.name))
        elif found:
            self.ask(
                Question(
                    "assignee", "ambiguous", start, end, self.text[start:end],
                    f"Several people match {word!r}: choose one.", candidates,
                )
            )  # fmt: skip
        else:
            self.ask(
                Question(
                    "assignee", "no_match", start, end, self.text[start:end],
                    f"Nobody active in this workspace is called {word!r}.",
                )
            )  # fmt: skip

    # -- dates and times

    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def read_due(self, choices: dict[str, str]) -> None:
        days: list[_Found] = []
        for rule in _DATE_RULES:
            for match in rule.pattern.finditer(self.text):
                if not self.free(match.start(), match.end()):
                    continue
                if not self.date_stands(rule, match):
                    continue
                try:
                    day = _date_of(rule.name, match, self.today(), self.locale)
                except _DateProblem as problem:
                    self.ask(
                        Question(
                            "due_date", "invalid_date", match.start(), match.end(),
                            match.group(0), str(problem) + ".",
                        )
                    )  # fmt: skip
                    continue
                start, end = self.with_part_of_day(match.start(), match.end())
                days.append(_Found(start, end, "due_date", day, self.text[start:end]))
                self.taken.append((start, end))
        times: list[_Found] = []
        for match in _TIME_RULE.finditer(self.text):
            bare_hour = match.group("h5") or match.group("h6")
            if bare_hour and not _TAIL.match(self.text[match.end() :]):
                continue  # "Dinner at 10 Downing Street"
            if self.free(match.start(), match.end()):
                times.append(
                    _Found(match.start(), match.end(), "due_time", _time_of(match), match.group(0))
                )
                self.taken.append((match.start(), match.end()))
        self.settle_due(days, times, choices.get("due_date"))

    def with_part_of_day(self, start: int, end: int) -> tuple[int, int]:
        """A date's span widened over a part of the day right before or after it."""
        after = _PART_AFTER.match(self.text[end:])
        if after and self.free(end, end + after.end()):
            end += after.end()
        before = _PART_BEFORE.search(self.text[:start])
        if before and self.free(before.start(), start):
            start = before.start()
        return start, end

    def date_stands(self, rule: _DateRule, match: re.Match[str]) -> bool:
        """Whether a date phrase is a date here, not a word of the title.

        "Prepare the Monday report" keeps its Monday: a weekday, "next week", "end of month"
        or 3/12 is a date only after a word such as on/am/by/bis/next/nächsten, or where
        nothing but times, markers and punctuation follow it.
        """
        at_end = bool(_TAIL.match(self.text[match.end() :]))
        if rule.name == "day_only":  # "on the 3rd floor" is no date
            return bool(match.group("strong")) and at_end
        return rule.anywhere or bool(match.group("strong")) or at_end

    def settle_due(self, days: list[_Found], times: list[_Found], chosen: str | None) -> None:
        days.sort(key=lambda f: f.start)
        times.sort(key=lambda f: f.start)
        if len(days) > 1 and len({found.value for found in days}) == 1:
            # "am Donnerstag, 3. Dezember": two ways of saying one day are one date.
            days = [_Found(days[0].start, days[-1].end, "due_date", days[0].value, "")]
        if len(days) > 1 or len(times) > 1:
            self.several_dates(days, times, chosen)
            return
        day = days[0] if days else None
        at = times[0] if times else None
        if at is None:
            if day is not None:
                self.fields["due_date"] = format_due(day.value)
                self.take(
                    Span(
                        day.start, day.end, "due_date", day.value.isoformat(), day.value.isoformat()
                    )
                )
            return
        when = self.day_for(day, at)
        instants = local_instants(when, at.value, self.tz)
        start = min(at.start, day.start if day else at.start)
        end = max(at.end, day.end if day else at.end)
        if len(instants) == 1:
            self.set_due(instants[0], day, at)
            return
        candidates = self.time_candidates(when, at.value, instants)
        picked = next((c for c in candidates if c.value == chosen), None)
        if picked is not None:
            self.set_due(datetime.fromisoformat(picked.value), day, at)
            return
        reason = "repeated_time" if instants else "nonexistent_time"
        message = (
            f"{at.value:%H:%M} happens twice on {when.isoformat()} (the clocks go back): "
            "choose which."
            if instants
            else f"{at.value:%H:%M} does not exist on {when.isoformat()} (the clocks go "
            "forward): choose the time."
        )
        self.ask(
            Question(
                "due_date", reason, start, end, self.text[start:end], message, tuple(candidates)
            )
        )

    def day_for(self, day: _Found | None, at: _Found) -> date:
        """The day of a due time: the one given, else the next day the clock shows it."""
        if day is not None:
            return day.value
        when = self.today()
        if datetime.combine(when, at.value) <= self.now.astimezone(self.tz).replace(tzinfo=None):
            when += timedelta(days=1)
        return when

    def several_dates(self, days: list[_Found], times: list[_Found], chosen: str | None) -> None:
        """Two dates or two times in one line: each reading is a candidate, none is taken."""
        found = sorted(days + times, key=lambda f: f.start)
        start, end = found[0].start, found[-1].end
        candidates = []
        day_options: list[_Found | None] = [*days] or [None]
        time_options: list[_Found | None] = [*times] or [None]
        for day in day_options:
            for at in time_options:
                if at is None:
                    if day is not None:
                        candidates.append(Choice(format_due(day.value), day.value.isoformat()))
                    continue
                instants = local_instants(self.day_for(day, at), at.value, self.tz)
                if len(instants) == 1:
                    moment = instants[0]
                    candidates.append(
                        Choice(format_due(moment.date(), moment), f"{moment:%Y-%m-%d %H:%M}")
                    )
        picked = next((c for c in candidates if c.value == chosen), None)
        if picked is not None:
            self.fields["due_date"] = picked.value
            self.take(Span(start, end, "due_date", picked.value[:10], picked.label))
            return
        kind = "date" if len(days) > 1 else "time"
        said = ", ".join(self.text[f.start : f.end] for f in (days if len(days) > 1 else times))
        self.ask(
            Question(
                "due_date", "several_dates", start, end, self.text[start:end],
                f"This line names more than one due {kind} ({said}): choose one.",
                tuple(candidates),
            )
        )  # fmt: skip

    def time_candidates(self, day: date, at: time, instants: list[datetime]) -> list[Choice]:
        if not instants:
            # The wall clock jumps over the time: offer the first moment after the jump.
            moment = datetime.combine(day, at).replace(tzinfo=self.tz, fold=0)
            instants = [moment.astimezone(UTC).astimezone(self.tz)]
        return [
            Choice(
                format_due(day, moment),
                f"{moment:%Y-%m-%d %H:%M} (UTC{moment:%z}"[:-2] + ":" + f"{moment:%z})"[-3:],
            )
            for moment in instants
        ]

    def set_due(self, moment: datetime, day: _Found | None, at: _Found) -> None:
        local = moment.astimezone(self.tz)
        self.fields["due_date"] = format_due(local.date(), local)
        if day is not None:
            self.take(
                Span(
                    day.start,
                    day.end,
                    "due_date",
                    local.date().isoformat(),
                    local.date().isoformat(),
                )
            )
        self.take(Span(at.start, at.end, "due_time", f"{local:%H:%M}", f"{local:%H:%M}"))

    # -- names of records

    def read_names(self, choices: dict[str, str]) -> None:
        # Names are looked for where a title can hold them: its first TITLE_MAX characters
        # (a longer title is refused anyway), which also bounds the matcher's work per line.
        words = [word for word in self.words() if word[0] < TITLE_MAX]
        # The line's first word is capitalised whatever it is ("Bill the client", "Mark
        # the invoice"): alone it links only as a whole name, it never raises a question.
        self.opening = words[0][0] if words else -1
        linked: set[str] = set()
        for length in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
            for first in range(len(words) - length + 1):
                run = words[first : first + length]
                if not self.askable(run):
                    continue
                for kind in RECORD_KINDS:
                    if kind in linked or self.question(kind):
                        continue
                    if self.try_name(kind, run, choices.get(kind)):
                        linked.add(kind)
                        break
                    if not self.free(run[0][0], run[-1][1]):
                        break

    def question(self, kind: str) -> bool:
        return any(q.kind == kind for q in self.questions)

    def words(self) -> list[tuple[int, int, bool]]:
        """The words not yet understood, as (start, end, ends a clause)."""
        found = []
        for match in re.finditer(r"\S+", self.text):
            word = match.group(0)
            core = word.rstrip(".,;:!?)\"'’”").lstrip("(\"'‘“")
            if not core:
                continue
            start = match.start() + word.index(core)
            end = start + len(core)
            if self.free(start, end):
                clause_end = word.endswith((",", ";", ":", "!", "?", ")"))
                found.append((start, end, clause_end))
            elif found:
                found[-1] = (*found[-1][:2], True)  # a taken part separates names
            if found and word.startswith(("(", '"', "“")) and len(found) > 1:
                found[-2] = (*found[-2][:2], True)
        return found

    def askable(self, run: list[tuple[int, int, bool]]) -> bool:
        if any(clause for _s, _e, clause in run[:-1]):
            return False
        if not self.free(run[0][0], run[-1][1]):
            return False
        first = self.text[run[0][0] : run[0][1]].casefold()
        last = self.text[run[-1][0] : run[-1][1]].casefold()
        if first in STOPWORDS or last in STOPWORDS:
            return False
        if len(run) == 1:
            # A single word is only a name when written like one: "Initech" and "ACME"
            # are; "report" and "2026" are not (see docs/quick_add.md, weak matches).
            return self.text[run[0][0]].isupper() and len(first) >= 2
        return True

    def try_name(self, kind: str, run: list[tuple[int, int, bool]], chosen: str | None) -> bool:
        """Ask the matcher about one run of words; True when it links `kind`."""
        start, end = run[0][0], run[-1][1]
        phrase = self.text[start:end]
        opening = len(run) == 1 and start == self.opening
        try:
            record_id = references.resolve_name(
                f"{kind}_name", kind, phrase, self.actor.workspace_id, as_autocomplete=False
            )
        except AmbiguousReference as error:
            if opening:
                return False
            fitting = [c for c in error.candidates if self.covers(phrase, c.name, kind) != "more"]
            if not fitting:
                return False
            return self.name_question(kind, "ambiguous", start, end, fitting, chosen)
        except ValidationError:
            return False
        record = db.session.get(references.MODELS[kind], record_id)
        if record is None:  # pragma: no cover - the matcher names records it can read
            return False
        cover = self.covers(phrase, record.display_name, kind)
        if cover == "more":
            return False  # the run holds words beyond the name: a shorter run will match
        candidate = references.describe(kind, [references.Match(record_id, 100.0)])[0]
        strong = cover == "whole" and (len(run) > 1 or _core(phrase) == _core(candidate.name))
        # A number typed is meant: "Due Diligence 2025" is not a typo of "… 2026", nor is
        # "Due Diligence" followed by 2025 the whole of it.
        after = re.match(r"\s+(\d+)(?![\w.:/])", self.text[end:])
        numbers = {word for word in _core(phrase) if word.isdigit()}
        name_has_number = any(word.isdigit() for word in _core(candidate.name))
        if after and name_has_number and self.free(end + after.start(1), end + after.end(1)):
            numbers.add(after.group(1))
        if not strong or numbers - set(_core(candidate.name)):
            if opening:
                return False
            score = references.name_score(fold_name(phrase), record.name_folded)
            candidate = Candidate(
                candidate.id, candidate.name, round(score, 1), candidate.email, candidate.company
            )
            return self.name_question(kind, "partial", start, end, [candidate], chosen)
        self.link(kind, start, end, str(record_id), candidate.name)
        return True

    def covers(self, phrase: str, name: str, kind: str) -> str:
        """Whether a run of words is a whole name ("whole"), part of it ("part"), or holds
        more words than the name ("more"), counted without legal forms like GmbH. A number
        of the name may be left out ("Hannover Messe" is the whole of "Hannover Messe
        2027"); whether another record has the same words with another number is the
        matcher's question, answered before this one."""
        phrase_words, name_words = _core(phrase), _core(name)
        if len(phrase_words) > len(name_words):
            return "more"
        without_numbers = [word for word in name_words if not word.isdigit()]
        if len(phrase_words) in (len(name_words), len(without_numbers)):
            return "whole"
        return "part"

    def name_question(
        self,
        kind: str,
        reason: str,
        start: int,
        end: int,
        candidates: list[Candidate],
        chosen: str | None,
    ) -> bool:
        choices = tuple(Choice(c.id, c.name, c.score, c.email, c.company) for c in candidates)
        picked = next((c for c in choices if c.value == chosen), None)
        if picked is not None:
            self.link(kind, start, end, picked.value, picked.label)
            return True
        if chosen == NONE_CHOICE:
            self.taken.append((start, end))
            return False
        noun = {"company": "companies"}.get(kind, kind + "s")
        message = (
            f"Several {noun} match {self.text[start:end]!r}: choose one."
            if reason == "ambiguous"
            else f"{self.text[start:end]!r} may be {choices[0].label}: choose it to link it."
        )
        self.ask(Question(kind, reason, start, end, self.text[start:end], message, choices))
        return False

    def link(self, kind: str, start: int, end: int, record_id: str, label: str) -> None:
        self.fields[f"{kind}_id"] = record_id
        self.take(Span(start, end, kind, record_id, label, in_title=True))
