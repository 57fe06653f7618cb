"""The browser app: server-rendered pages and HTMX fragments over the service layer.

Views parse form and query values into plain Python values, call one service function and
render what comes back or the typed error it raised; no rule of the product lives here.
"""

from flask import Blueprint

bp = Blueprint("web", __name__)

from app.web import (  # noqa: E402,F401  (routes register on import)
    account,
    auth,
    helpers,
    language,
    notifications,
    quick_add,
    records,
    search,
    settings,
    tasks,
    users,
    workbench,
)
