"""Languages: which one a request is answered in, and dates and numbers in it (docs/i18n.md).

The browser app speaks the person's language; the API (/v1/) always speaks English, so
machine clients see stable texts. Code outside a request (emails, the notify worker) says
whose language it wants with `for_recipient` and `speaking`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, get_translations, refresh
from flask_babel.speaklater import LazyString
from flask_login import current_user

#: Every language the app speaks, each named in itself (the switch shows these names).
LANGUAGES: dict[str, str] = {"de": "Deutsch", "en": "English"}
#: The language when nothing else decides: no user setting, no session choice, no browser
#: preference among LANGUAGES, no workspace default.
DEFAULT_LANGUAGE = "en"
#: Where a visitor's choice from the language switch is kept (a signed-in user's is kept
#: in users.language instead).
SESSION_KEY = "language"

#: A day and an instant in each language: "Tue 1 Dec 2026", "Di., 1. Dez. 2026"; times are
#: 24-hour in both. Babel supplies the names of days and months.
DATE_PATTERNS: dict[str, str] = {"en": "EEE d MMM y", "de": "EEE, d. MMM y"}
DATETIME_PATTERNS: dict[str, str] = {"en": "d MMM y, HH:mm", "de": "d. MMM y, HH:mm"}
#: An instant with its weekday, where the day matters (emails, an event's start).
WEEKDAY_DATETIME_PATTERNS: dict[str, str] = {
    "en": "EEE d MMM y, HH:mm",
    "de": "EEE, d. MMM y, HH:mm",
}
TIME_PATTERN = "HH:mm"
#: Quotation marks around a title or name inside a sentence (Babel has no data for them).
QUOTES: dict[str, tuple[str, str]] = {"en": ("“", "”"), "de": ("„", "“")}
#: An amount of money (a deal's): two decimals, the language's separators.
AMOUNT_PATTERN = "#,##0.00"

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def supported(language: str | None) -> str | None:
    """`language` when the app speaks it, else None."""
    return language if language in LANGUAGES else None


def select_locale() -> str:
    """The language of this request, the first that applies:

    the API → English; the signed-in user's setting; the visitor's choice from the switch
    (kept in the session); the browser's Accept-Language, best match; the workspace's
    default; English.
    """
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if request.path == "/v1" or request.path.startswith("/v1/"):
        return DEFAULT_LANGUAGE
    user = _signed_in_user()
    if user is not None and supported(user.language):
        return user.language
    chosen = supported(session.get(SESSION_KEY))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(list(LANGUAGES))
    if best:
        return best
    if user is not None:
        workspace_language = _workspace_language(user)
        if workspace_language:
            return workspace_language
    return DEFAULT_LANGUAGE


def _signed_in_user():
    try:
        return current_user if current_user.is_authenticated else None
    except Exception:  # no login manager on this request (or the database is away)
        return None


def _workspace_language(user) -> str | None:
    from app.extensions import db
    from app.models import Workspace

    try:
        workspace = db.session.get(Workspace, user.workspace_id)
    except Exception:  # an error page while the database is away still renders
        db.session.rollback()
        return None
    return supported(workspace.language if workspace else None)


def for_recipient(user, workspace=None) -> str:
    """The language of what is sent to `user` (emails): theirs, else the workspace's."""
    if supported(getattr(user, "language", None)):
        return user.language
    if workspace is None:
        return _workspace_language(user) or DEFAULT_LANGUAGE
    return supported(workspace.language) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of what is being rendered now ("de" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def _locale() -> Locale:
    return get_locale() or Locale.parse(DEFAULT_LANGUAGE)


def format_day(day: date | None) -> str:
    """A calendar day: "Tue 1 Dec 2026" / "Di., 1. Dez. 2026"."""
    if day is None:
        return ""
    return _day_in(day, _locale())


@lru_cache(maxsize=4096)
def _day_in(day: date, locale: Locale) -> str:
    """`format_day` in `locale`, kept: a list shows the same few dozen days in every row,
    and Babel takes about 20 µs to format one."""
    return babel_dates.format_date(day, DATE_PATTERNS[locale.language], locale=locale)


def format_moment(
    moment: datetime | None, zone: tzinfo | None = None, *, weekday: bool = False
) -> str:
    """An instant in `zone` (else as it is): "1 Dec 2026, 14:30" / "1. Dez. 2026, 14:30";
    with `weekday`, "Tue 1 Dec 2026, 14:30" / "Di., 1. Dez. 2026, 14:30"."""
    if moment is None:
        return ""
    local = moment.astimezone(zone) if zone is not None else moment
    patterns = WEEKDAY_DATETIME_PATTERNS if weekday else DATETIME_PATTERNS
    return babel_dates.format_datetime(
        local.replace(tzinfo=None), patterns[current_language()], locale=_locale()
    )


def format_clock(moment: datetime, zone: tzinfo | None = None) -> str:
    """The time of day of an instant, 24-hour: "14:30"."""
    local = moment.astimezone(zone) if zone is not None else moment
    return babel_dates.format_time(local.replace(tzinfo=None), TIME_PATTERN, locale=_locale())


def format_number(number: int | float | Decimal) -> str:
    """A number with the language's separators: "1,234.5" / "1.234,5"."""
    return babel_numbers.format_decimal(number, locale=_locale())


def format_amount(amount: int | float | Decimal) -> str:
    """An amount with two decimals: "12,500.00" / "12.500,00"."""
    return babel_numbers.format_decimal(amount, AMOUNT_PATTERN, locale=_locale())


def quoted(text: str | None) -> str:
    """`text` in the language's quotation marks: “Call” / „Anruf“."""
    start, end = QUOTES[current_language()]
    return f"{start}{text or ''}{end}"


def weekday_names() -> list[str]:
    """Monday to Sunday, abbreviated: "Mon" … / "Mo." …."""
    names = babel_dates.get_day_names("abbreviated", locale=_locale())
    return [names[day] for day in range(7)]


#: Where `catalog()` keeps the request's catalog (on `g`: per request or app context).
_CATALOG = "_i18n_catalog"


def catalog():
    """The catalog of the language in force, looked up once per request.

    Flask-Babel finds it again on every call (context, domain, locale: about 6 µs), and a
    list page translates over a thousand strings; templates and `lazy_gettext` come here.
    `speaking` is the one way to change the language mid-request, and it drops this copy.
    """
    if not g:  # no app context: Flask-Babel's answer (no translation)
        return get_translations()
    found = g.get(_CATALOG)
    if found is None:
        found = get_translations()
        setattr(g, _CATALOG, found)
    return found


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Texts inside are in `language` (an email in its recipient's), then as before."""
    g.pop(_CATALOG, None)
    try:
        with force_locale(language):
            yield
    finally:
        g.pop(_CATALOG, None)


def language_changed() -> None:
    """The language of this request was just changed (a user saved another one): what is
    said from here on is in the new one (the notice that confirms it, for instance)."""
    refresh()
    if g:
        g.pop(_CATALOG, None)


def lazy_gettext(string: str, **variables) -> LazyString:
    """A text translated when shown, in the language in force then (labels, form fields)."""
    return LazyString(_lazy_text, string, **variables)


def _lazy_text(string: str, **variables) -> str:
    text = catalog().ugettext(string)
    return text % variables if variables else text


def register_i18n(app: Flask) -> None:
    """Bind Flask-Babel; templates get `current_language()` and the language list.

    One Babel per app: Flask-Babel caches loaded catalogs on it, so two apps with different
    translation folders (the tests' sentinel catalog) never share one.
    """
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
        default_domain="messages",
    )
    # Flask-Babel's callables, with the catalog looked up once per request (`catalog`).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: catalog().ugettext(text),
        ngettext=lambda singular, plural, n: catalog().ungettext(singular, plural, n),
        pgettext=lambda context, text: catalog().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: catalog().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )

    @app.context_processor
    def inject_languages() -> dict:
        return {"current_language": current_language, "languages": LANGUAGES}

    # For every template, emails included (they render outside the browser app's blueprint).
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(
        lambda moment, zone=None: format_moment(moment, zone, weekday=True), "day_and_time"
    )
    app.add_template_filter(format_clock, "clock")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_amount, "amount")
    app.add_template_filter(quoted, "quoted")
    app.add_template_global(current_language)
