"""The app gunicorn serves in the bench: the product's `create_app`, configured from the
environment, plus one response header naming the worker process (so the bench can warm
every worker's index before measuring). No route is added to the product."""

from __future__ import annotations

import json
import os

from app import create_app

app = create_app(json.loads(os.environ["BENCH_APP_CONFIG"]))


@app.after_request
def _name_the_worker(response):
    response.headers["X-Bench-Worker"] = str(os.getpid())
    return response
