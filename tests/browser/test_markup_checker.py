"""The Nu checker the browser tests run over every page and fragment finds real faults and
lets htmx's attributes pass (tests/browser/markup.py)."""

from __future__ import annotations

import pytest

from tests.browser.markup import Answer, NuChecker


@pytest.fixture
def checker(nu_checker):
    if nu_checker is None:
        pytest.skip(str(NuChecker.missing()))
    return nu_checker


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>
<body hx-headers='{{"X-CSRFToken": "x"}}'>{body}</body></html>"""


def test_valid_markup_with_htmx_attributes_passes(checker):
    body = '<form hx-post="/x" hx-target="#r" hx-swap="outerHTML"><button>Go</button></form>'
    assert checker.problems(Answer("/page", PAGE.format(body=body), False)) == []


def test_broken_pages_and_fragments_are_reported(checker):
    page = checker.problems(Answer("/page", PAGE.format(body="<span><div>x</div></span>"), False))
    assert any("“div” not allowed as child of element “span”" in p for p in page), page
    login_bug = '<input id="email" name="email" autofocus="None">'
    fragment = checker.problems(Answer("/frag", f"<label for=email>E</label>{login_bug}", True))
    assert any("autofocus" in p for p in fragment), fragment
    rows = checker.problems(Answer("/rows", '<li id="a">1</li><li id="a">2</li>', True))
    assert any("Duplicate ID" in p for p in rows), rows
