"""Quick add speaks German (docs/quick_add.md, docs/i18n.md): the preview, its questions,
the errors and the page without JavaScript, checked with the sentinel catalog."""

from __future__ import annotations

from app.extensions import db
from app.services import records
from tests.test_i18n_sentinel import (  # noqa: F401  (fixtures)
    GERMAN,
    HTMX,
    SEEDED,
    VisibleText,
    german_client,
    post,
    sentinel_app,
    untranslated,
    world,
)

#: What the lines below put on the page as data: titles are the typed words, and a task
#: type is shown as stored, as in the list ("Call").
TYPED = {"Hans Müller anrufen", "Unterlagen an Müller GmbH", "Kaffee kaufen", "Call"}


def leaks(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return untranslated("\u2029".join(parser.texts), seeded=SEEDED | TYPED)


def test_quick_add_is_german(sentinel_app, world):  # noqa: F811  (fixtures imported above)
    client = german_client(sentinel_app, world["admin"])
    records.add_contact(world["workspace"].id, "Hans", "Müller", "hans2@mueller.example")
    db.session.commit()
    pages = {
        "preview": post(
            client,
            "/tasks/quick-add/preview",
            {"text": "Unterlagen an Müller GmbH morgen um 10 Uhr !hoch #anruf"},
        ),
        "question": post(
            client, "/tasks/quick-add/preview", {"text": "Hans Müller morgen anrufen"}
        ),
        "question on save": post(
            client, "/tasks/quick-add", {"text": "Hans Müller morgen anrufen"}
        ),
        "no link": post(client, "/tasks/quick-add", {"text": "Kaffee kaufen"}, 400, GERMAN),
        "preview page": post(
            client,
            "/tasks/quick-add",
            {"text": "Unterlagen an Müller GmbH 3/12", "action": "preview"},
            200,
            GERMAN,
        ),
        "saved": post(client, "/tasks/quick-add", {"text": "Unterlagen an Müller GmbH"}),
    }
    found = {name: problems for name, html in pages.items() if (problems := leaks(html))}
    assert not found, found
    assert "3. Dez." in pages["preview page"]  # a German page reads 3/12 day first
