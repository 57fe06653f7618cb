"""A bounded HTTP load generator for 127.0.0.1: threads, one connection per request.

gunicorn's sync workers close the connection after each answer, so each request opens
its own, as a browser behind a proxy would. A run stops at a request count or a time
limit, whichever comes first, and reports requests/s and latency percentiles.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    first_error: str | None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        return percentile(self.latencies_ms, share)


def percentile(values: Sequence[float], share: float) -> float:
    """The value at `share` (0–1) of the sorted values, nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def send(port: int, request: Request, timeout: float = 60.0) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(request.method, request.path, request.body, request.headers)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def run_load(
    port: int,
    requests: Sequence[Request] | Callable[[int], Request],
    *,
    clients: int,
    max_requests: int,
    max_seconds: float,
) -> LoadResult:
    """`clients` threads sending requests in turn until `max_requests` or `max_seconds`."""
    pick = requests if callable(requests) else (lambda i: requests[i % len(requests)])
    counter = itertools.count()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    deadline = time.perf_counter() + max_seconds
    start = time.perf_counter()

    def client(slot: int) -> None:
        mine = latencies[slot]
        while time.perf_counter() < deadline:
            i = next(counter)
            if i >= max_requests:
                return
            request = pick(i)
            began = time.perf_counter()
            try:
                status, body, _headers = send(port, request)
            except OSError as error:
                errors.append(f"{request.method} {request.path}: {error}")
                continue
            mine.append((time.perf_counter() - began) * 1000)
            if status != request.expect:
                errors.append(f"{request.method} {request.path}: {status} {body[:200]!r}")

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    done = [ms for mine in latencies for ms in mine]
    return LoadResult(len(done), seconds, done, len(errors), errors[0] if errors else None)


def wait_until_up(port: int, path: str = "/healthz", seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            status, _body, _headers = send(port, Request("GET", path), timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server on port {port} did not come up")
        time.sleep(0.2)


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the real form (CSRF token and all); the `Cookie` header to send."""
    status, body, headers = send(port, Request("GET", "/login"))
    if status != 200:
        raise RuntimeError(f"GET /login answered {status}")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if token is None:
        token = re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', body)
    cookie = _cookie(headers)
    form = {"email": email, "password": password}
    if token:
        form["csrf_token"] = unescape(token.group(1).decode())
    status, body, headers = send(
        port,
        Request(
            "POST",
            "/login",
            urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        ),
    )
    if status not in (302, 303):
        raise RuntimeError(f"POST /login answered {status}: {body[:300]!r}")
    return _cookie(headers) or cookie


def _cookie(headers: dict) -> str:
    value = headers.get("Set-Cookie") or headers.get("set-cookie") or ""
    return value.split(";", 1)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


@contextmanager
def serve(config: dict, directory: Path, workers: int) -> Iterator[tuple[int, subprocess.Popen]]:
    """gunicorn serving the app with `config` on a free loopback port, up and answering.

    Yields (port, server process); stops the server (and waits for it) on the way out.
    """
    with launch(config, directory, workers) as (port, server):
        wait_until_up(port, seconds=600)  # workers warm their search indexes first
        time.sleep(1)
        yield port, server


@contextmanager
def launch(config: dict, directory: Path, workers: int) -> Iterator[tuple[int, subprocess.Popen]]:
    """gunicorn started (not yet answering, perhaps) with the project's gunicorn.conf.py."""
    port = free_port()
    log = (directory / f"gunicorn-{port}.log").open("w")
    env = {**os.environ, "BENCH_APP_CONFIG": json.dumps(config), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
    command += ["--bind", f"{HOST}:{port}"]
    command += ["--workers", str(workers), "--timeout", "600", "bench.wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield port, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
