"""Autocomplete endpoints: `GET /search/<kind>?q=` answers a fragment of listbox options."""

from __future__ import annotations

from flask import abort, render_template, request

from app import kinds
from app.services import search as search_service
from app.services.accounts import READ
from app.web import bp
from app.web.helpers import current_actor

#: URL segment → record kind (app/kinds.py).
SEARCH_KINDS = {kind.segment: kind.key for kind in kinds.KINDS}


@bp.get("/search/<segment>")
def search(segment: str):
    """At most 10 ranked options for the combobox of `segment` (prefix matches first).

    The fragment replaces the listbox's content; an empty query answers no options (the
    script closes the list) and a query without hits answers one "No matches" option.
    """
    kind = SEARCH_KINDS.get(segment)
    if kind is None:
        abort(404)
    actor = current_actor()
    actor.require(READ)
    query = request.args.get("q", "")
    hits = search_service.search(kind, actor.workspace_id, query)
    html = render_template("search/_options.html", hits=hits, kind=kind, query=query.strip())
    return html, 200, {"Cache-Control": "no-store"}
