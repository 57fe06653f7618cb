"""`make bench`, tasks section: every task list page and API list call at two sizes.

One scratch database per size (BENCH_TASKS, default `10000,1000000`), each with a demo
workspace of that many generated tasks and its own gunicorn; every call is then measured
on each size in alternating slices, so that the shared machine's changing load weighs
on all sizes alike. Each call is reported as p50/p95 and as a multiple of the /healthz
p50 of its size, and the ratio of its p50 at the largest size to its p50 at the
smallest: a list that reads only the rows it shows keeps that ratio near 1.

Finally `flask --app app seed-demo --tasks N` (N = the largest size) is timed in a
scratch database of its own.

Settings (environment): BENCH_TASKS, BENCH_TASK_CONTACTS (records the tasks spread over,
default 2000), BENCH_TASK_REQUESTS and BENCH_TASK_SECONDS (per call and size, default
200 and 6), BENCH_TASK_CLIENTS (default: one per worker), BENCH_TASK_SEED=0 skips the
timed seed-demo.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.load import ROOT, Request, log_in, percentile, run_load, send, serve

#: The targets of this section: the p50 ratio between sizes, and p95 against /healthz.
TARGET_P50_RATIO = 2.0
TARGET_P95_OVER_HEALTHZ = 25.0
TARGET_SEED_SECONDS_PER_MILLION = 90.0
HEALTHZ = "GET /healthz"


@dataclass(frozen=True)
class TaskSettings:
    sizes: tuple[int, ...]
    contacts: int
    requests: int
    seconds: float
    clients: int
    time_seed: bool

    @classmethod
    def from_env(cls, workers: int) -> TaskSettings:
        env = os.environ
        sizes = tuple(sorted(int(n) for n in env.get("BENCH_TASKS", "10000,1000000").split(",")))
        return cls(
            sizes=sizes,
            contacts=int(env.get("BENCH_TASK_CONTACTS", 2000)),
            requests=int(env.get("BENCH_TASK_REQUESTS", 200)),
            seconds=float(env.get("BENCH_TASK_SECONDS", 6)),
            clients=int(env.get("BENCH_TASK_CLIENTS", workers)),
            time_seed=env.get("BENCH_TASK_SEED", "1") != "0",
        )


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def calls(port: int, cookie: str, api_key: str, ids: dict[str, list[uuid.UUID]]) -> dict:
    """Label → request maker for every list page and API list call (and two references)."""
    browser = {"Cookie": cookie}
    api = {"Authorization": f"Bearer {api_key}"}
    status, body, _ = send(port, Request("GET", "/v1/tasks?limit=50", headers=api))
    if status != 200:
        raise RuntimeError(f"GET /v1/tasks answered {status}: {body[:300]!r}")
    cursor = json.loads(body)["next_cursor"]

    def page(path: str, **query: str) -> Callable[[int], Request]:
        url = path + ("?" + urlencode(query) if query else "")
        return lambda i: Request("GET", url, headers=browser)

    def api_list(**query: str) -> Callable[[int], Request]:
        url = "/v1/tasks?" + urlencode({"limit": "50", **query})
        return lambda i: Request("GET", url, headers=api)

    def record(kind: str, segment: str) -> Callable[[int], Request]:
        return lambda i: Request(
            "GET", f"/{segment}/{ids[kind][i % len(ids[kind])]}", headers=browser
        )

    def by_kind(kind: str, **query: str) -> Callable[[int], Request]:
        def make(i: int) -> Request:
            args = {f"{kind}_id": str(ids[kind][i % len(ids[kind])]), **query}
            return Request("GET", "/tasks?" + urlencode(args), headers=browser)

        return make

    def create(i: int) -> Request:
        body = {"title": f"Bench task {i}", "contact_id": str(ids["contact"][i % 10])}
        headers = {**api, "Content-Type": "application/json"}
        return Request("POST", "/v1/tasks", json.dumps(body).encode(), headers, expect=201)

    return {
        HEALTHZ: lambda i: Request("GET", "/healthz"),
        "GET /tasks (default view)": page("/tasks"),
        "GET /tasks?due=overdue": page("/tasks", due="overdue"),
        "GET /tasks?due=today": page("/tasks", due="today"),
        "GET /tasks?due=week": page("/tasks", due="week"),
        "GET /tasks?due=none": page("/tasks", due="none"),
        "GET /tasks?status=completed": page("/tasks", status="completed"),
        "GET /tasks?status=all": page("/tasks", status="all"),
        "GET /tasks?priority=high": page("/tasks", priority="high"),
        "GET /tasks?assignee=mine": page("/tasks", assignee="mine"),
        "GET /tasks?company_id=…": by_kind("company"),
        "GET /tasks?deal_id=…&status=all": by_kind("deal", status="all"),
        "GET /tasks?q=mandate 42": page("/tasks", q="mandate 42"),
        "GET /tasks?q=muller": page("/tasks", q="muller"),
        "GET /tasks?q=engagement letter": page("/tasks", q="engagement letter"),
        # A page of matches at either size: the calls above show fewer rows at 10,000 tasks
        # (a handful of titles match there), so part of their ratio is rendering more rows.
        "GET /tasks?q=call": page("/tasks", q="call"),
        "GET /v1/tasks?q=mandate 42": api_list(q="mandate 42"),
        "GET /v1/tasks?limit=50": api_list(),
        "GET /v1/tasks next page (cursor)": api_list(cursor=cursor),
        "GET /v1/tasks?status=open": api_list(status="open"),
        "GET /v1/tasks?overdue=true": api_list(overdue="true"),
        "GET /v1/tasks?contact_id=…": lambda i: Request(
            "GET",
            "/v1/tasks?" + urlencode({"limit": "50", "contact_id": ids["contact"][i % 10]}),
            headers=api,
        ),
        "GET /contacts/<id>": record("contact", "contacts"),
        "GET /companies/<id>": record("company", "companies"),
        "GET /deals/<id>": record("deal", "deals"),
        "GET /events/<id>": record("event", "events"),
        "POST /v1/tasks": create,
    }


def measure(ports: dict[int, int], makers: dict[int, dict], settings: TaskSettings) -> dict:
    """Each call at every size, in turns: a slice of load on one size, then the next.

    The machine is shared, so its load changes from minute to minute; taking the sizes in
    alternating slices puts them under the same conditions, so their ratio means
    something. Bounded by count and time. Returns size → label → p50/p95 and the share
    of that size's /healthz p50.
    """
    slices = 4
    result: dict[int, dict] = {size: {} for size in ports}
    for label in makers[next(iter(ports))]:
        latencies: dict[int, list[float]] = {size: [] for size in ports}
        errors: dict[int, list[str]] = {size: [] for size in ports}
        shown: dict[int, int | None] = {}
        for size, port in ports.items():
            status, body, _ = send(port, makers[size][label](0))
            if status != makers[size][label](0).expect:
                raise RuntimeError(f"{label} at {size:,} answered {status}: {body[:300]!r}")
            shown[size] = rows_shown(body)
        for _slice in range(slices):
            for size, port in ports.items():
                load = run_load(
                    port,
                    makers[size][label],
                    clients=settings.clients,
                    max_requests=max(1, settings.requests // slices),
                    max_seconds=settings.seconds / slices,
                )
                latencies[size] += load.latencies_ms
                if load.first_error:
                    errors[size].append(load.first_error)
        for size in ports:
            result[size][label] = {
                "rows": shown[size],
                "n": len(latencies[size]),
                "p50": percentile(latencies[size], 0.5),
                "p95": percentile(latencies[size], 0.95),
                "errors": len(errors[size]),
                "first_error": errors[size][0] if errors[size] else None,
            }
        shown = [(size, result[size][label]) for size in ports]
        say(
            f"  {label}: "
            + ", ".join(f"{n:,}: {e['p50']:.1f} / {e['p95']:.1f} ms" for n, e in shown)
        )
    for calls_ in result.values():
        healthz = calls_[HEALTHZ]["p50"]
        for entry in calls_.values():
            entry["p50_over_healthz"] = entry["p50"] / healthz
            entry["p95_over_healthz"] = entry["p95"] / healthz
    return result


def rows_shown(body: bytes) -> int | None:
    """How many tasks an answer shows: a page's rows, an API list's items (else None)."""
    if body.startswith(b"{"):
        data = json.loads(body).get("data")
        return len(data) if isinstance(data, list) else None
    rows = body.count(b'<li class="task-row ')
    return rows or (0 if b'id="task-empty"' in body or b"task-list" in body else None)


def sample_ids(workspace_id: uuid.UUID) -> dict[str, list[uuid.UUID]]:
    """Ten records of each kind (a fixed choice), whose pages and filters are measured."""
    from app.extensions import db
    from app.models import Company, Contact, Deal, Event

    rng = random.Random(5)
    ids = {}
    for kind, model in (
        ("contact", Contact),
        ("company", Company),
        ("deal", Deal),
        ("event", Event),
    ):
        every = list(
            db.session.scalars(
                sa.select(model.id).where(model.workspace_id == workspace_id).order_by(model.id)
            )
        )
        ids[kind] = rng.sample(every, min(10, len(every)))
    return ids


def analyze(url: str) -> None:
    """PostgreSQL as autovacuum keeps it in production: fresh planner statistics, the
    visibility map set (index-only scans) and the trigram index's pending entries merged.

    Only ANALYZE, as before, left autovacuum's first pass over the freshly loaded million
    rows to start by itself a minute later, while the calls were being measured."""
    if url.startswith("postgresql"):
        from app.extensions import db

        with db.engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.execute(sa.text("VACUUM ANALYZE"))


def run_tasks_section(settings, directory: Path, scratch_database, app_config) -> dict:
    """The tasks section of the bench (see the module docstring). Returns its figures."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import demo

    task_settings = TaskSettings.from_env(settings.workers)
    figures: dict = {"settings": task_settings.__dict__}
    with ExitStack() as stack:
        sites = {}
        for size in task_settings.sizes:
            url = stack.enter_context(scratch_database(settings, directory, f"tasks{size}"))
            config = app_config(url, directory)
            app = create_app(config)
            with app.app_context():
                upgrade()
                say(f"seeding a workspace of {size:,} tasks")
                started = time.perf_counter()
                sizes = demo.DemoSizes.for_contacts(task_settings.contacts, size)
                credentials = demo.seed_demo("Bench Tasks", sizes)
                ids = sample_ids(uuid.UUID(credentials.workspace_id))
                analyze(url)
                say(f"seeded in {time.perf_counter() - started:.1f} s")
                db.session.remove()
                db.engine.dispose()
            sites[size] = (config, credentials, ids)
        ports, makers = {}, {}
        for size, (config, credentials, ids) in sites.items():
            port, _server = stack.enter_context(serve(config, directory, settings.workers))
            cookie = log_in(port, credentials.email, credentials.password)
            ports[size] = port
            makers[size] = calls(port, cookie, credentials.api_key, ids)
        say("measuring every size in turns")
        figures["sizes"] = measure(ports, makers, task_settings)
    if task_settings.time_seed:
        figures["seed_demo"] = time_seed(settings, task_settings, directory, scratch_database)
    figures["targets"] = targets(figures, task_settings)
    return figures


def time_seed(settings, task_settings: TaskSettings, directory: Path, scratch_database) -> dict:
    """`flask --app app seed-demo --tasks N` in a scratch database of its own, timed."""
    count = task_settings.sizes[-1]
    with scratch_database(settings, directory, "taskseed") as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CRM_TASKS_DEMO_CREDENTIALS": str(directory / "task-seed-credentials.json"),
        }
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        say(f"timing seed-demo --tasks {count:,}")
        started = time.perf_counter()
        subprocess.run(
            [*flask, "seed-demo", "--tasks", str(count)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
    say(f"seed-demo --tasks {count:,}: {seconds:.1f} s")
    return {"tasks": count, "seconds": seconds}


def targets(figures: dict, task_settings: TaskSettings) -> list[dict]:
    small, large = task_settings.sizes[0], task_settings.sizes[-1]
    checks = []
    if large > small:
        ratios = {
            label: figures["sizes"][large][label]["p50"] / figures["sizes"][small][label]["p50"]
            for label in figures["sizes"][small]
            if label != HEALTHZ
        }
        figures["p50_ratio"] = ratios
        worst = max(ratios, key=ratios.get)
        checks.append(
            {
                "target": f"p50 at {large:,} / at {small:,} <= {TARGET_P50_RATIO:g} (every call)",
                "value": f"{ratios[worst]:.2f} ({worst})",
                "met": ratios[worst] <= TARGET_P50_RATIO,
            }
        )
    for size, calls_ in figures["sizes"].items():
        worst = max((label for label in calls_ if label != HEALTHZ), key=lambda k: calls_[k]["p95"])
        share = calls_[worst]["p95_over_healthz"]
        checks.append(
            {
                "target": f"p95 <= {TARGET_P95_OVER_HEALTHZ:g}x /healthz p50"
                f" at {size:,} (every call)",
                "value": f"{share:.1f}x ({worst})",
                "met": share <= TARGET_P95_OVER_HEALTHZ,
            }
        )
    seed = figures.get("seed_demo")
    if seed:
        limit = TARGET_SEED_SECONDS_PER_MILLION * seed["tasks"] / 1_000_000
        checks.append(
            {
                "target": f"seed-demo --tasks {seed['tasks']:,} <= {limit:g} s",
                "value": f"{seed['seconds']:.1f} s",
                "met": seed["seconds"] <= limit,
            }
        )
    return checks


def table(figures: dict, backend: str) -> str:
    sizes = list(figures["sizes"])
    lines = [
        f"task lists over HTTP ({backend}): p50 / p95 ms and p50 as a multiple of /healthz p50",
        f"{'call':<36}"
        + "".join(f"{f'{n:,} tasks: rows, p50 / p95, x':>38}" for n in sizes)
        + (f"{'p50 ratio':>11}" if len(sizes) > 1 else ""),
    ]
    for label in figures["sizes"][sizes[0]]:
        row = f"{label:<36}"
        for n in sizes:
            e = figures["sizes"][n][label]
            rows = "" if e.get("rows") is None else str(e["rows"])
            row += f"{rows:>12}{e['p50']:>9.1f} /{e['p95']:>7.1f} {e['p50_over_healthz']:>6.1f}x"
        if len(sizes) > 1 and label != HEALTHZ:
            row += f"{figures['p50_ratio'][label]:>11.2f}"
        lines.append(row)
    if figures.get("seed_demo"):
        s = figures["seed_demo"]
        lines += ["", f"flask seed-demo --tasks {s['tasks']:,}: {s['seconds']:.1f} s"]
    lines += ["", "targets (task lists)"]
    for check in figures["targets"]:
        lines.append(
            f"  {'met' if check['met'] else 'MISSED':<7}{check['target']}: {check['value']}"
        )
    return "\n".join(lines)
