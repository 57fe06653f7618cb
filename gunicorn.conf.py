"""gunicorn settings of the app (`make serve`; gunicorn also reads this file by itself when
started from this directory).

Each worker builds the search indexes of the largest workspaces before it takes its first
request, so the first search after a restart is as fast as any other
(app/services/search_warm.py; `SEARCH_INDEX_WARM=0` turns it off).
"""

from __future__ import annotations


def post_worker_init(worker) -> None:
    """The app is loaded in this worker and no request taken yet: warm its search indexes."""
    app = worker.wsgi
    if not hasattr(app, "app_context"):  # not a Flask app (something wraps it): leave it
        return
    from app.services.search_warm import warm_worker

    warm_worker(app, heartbeat=worker.notify)
