"""The request's catalog is looked up once (app/i18n.py `catalog`), and still follows
every change of language: the request's own, and `speaking` for a recipient's email."""

from __future__ import annotations

import re
from pathlib import Path

from flask import render_template_string

from app.i18n import lazy_gettext, speaking

APP = Path(__file__).resolve().parent.parent / "app"
TEMPLATE = "{{ _('Contacts') }}|{{ ngettext('%(num)d task', '%(num)d tasks', 3) }}"


def test_templates_follow_the_request_then_speaking_then_the_request_again(app):
    label = lazy_gettext("Contacts")
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        german = render_template_string(TEMPLATE)
        assert german.startswith("Kontakte|") and str(label) == "Kontakte"
        with speaking("en"):
            assert render_template_string(TEMPLATE) == "Contacts|3 tasks"
            assert str(label) == "Contacts"
        assert render_template_string(TEMPLATE) == german
        assert str(label) == "Kontakte"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(TEMPLATE) == "Contacts|3 tasks"


def test_outside_any_context_a_label_is_its_english_text():
    assert str(lazy_gettext("Contacts")) == "Contacts"


def test_only_speaking_changes_the_language_mid_request():
    """force_locale elsewhere would leave `catalog()`'s copy of the old language in use."""
    offenders = [
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if path.name != "i18n.py" and re.search(r"\bforce_locale\b", path.read_text())
    ]
    assert not offenders
