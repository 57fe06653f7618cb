"""gunicorn settings of the app (`make serve`; gunicorn also reads this file by itself when
started from this directory).

Each worker builds the search indexes of the largest workspaces before it takes its first
request, so the first search after a restart is as fast as any other
(app/services/search_warm.py; `SEARCH_INDEX_WARM=0` turns it off).

Then it freezes what it holds: the modules, the app and the warm indexes live as long as
the worker, yet each full run of Python's cycle collector would walk them all again. A
request allocates enough (rows, templates) to set off such a run every dozen requests or
so, and that request then took two to three times as long as the others. Frozen objects
are never collected, so only what requests allocate is walked.
"""

from __future__ import annotations

import gc
import json
import logging


def post_worker_init(worker) -> None:
    """The app is loaded in this worker and no request taken yet: warm its search indexes,
    then take everything it holds out of the cycle collector's reach."""
    app = worker.wsgi
    if hasattr(app, "app_context"):  # a Flask app (not something that wraps it)
        from app.services.search_warm import warm_worker

        warm_worker(app, heartbeat=worker.notify)
    freeze_heap()


def freeze_heap() -> None:
    """Collect the start-up garbage once, then freeze every object that survives it."""
    gc.collect()
    gc.freeze()
    logging.getLogger("crm_tasks.worker").info(json.dumps({"event": "heap_frozen", "objects": gc.get_freeze_count()}))
