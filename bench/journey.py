"""The morning journey, timed: "complete my three overdue tasks and snooze today's to
tomorrow", by keyboard only, in real Chromium against a real gunicorn (docs/workbench.md).

    python -m bench.journey                      # this checkout (the workbench)
    python -m bench.journey --app-dir DIR --before   # an older checkout (git archive), whose
                                                      # list has no shortcuts: Tab and Enter

Both runs seed the same workspace (3 overdue and 1 of today's tasks of Mia's among 12 other
open tasks) into a fresh SQLite file with the checkout's own migrations and services, log
in (not counted), then press keys as a person who knows the page would, and count them.
"Seconds" is the scripted wall-clock time from the first key to the last change on screen:
the server's and the browser's share of the work, not a person's reading time (the doc
adds a keystroke-level estimate for that). After the "after" run the list stays open
and idle for `--idle` seconds while every request it makes is counted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

SEED = r"""
import json, sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
from flask_migrate import upgrade
from app import create_app
from app.extensions import db
from app.services import accounts, records
from app.services import tasks as task_service

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "journey",
                  "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
with app.app_context():
    upgrade()
    ws = accounts.create_workspace("Acme Sales", "Europe/Berlin")
    mia = accounts.create_user(ws, "mia@acme.test", "Mia Member", "member", sys.argv[2])
    tom = accounts.create_user(ws, "tom@acme.test", "Tom Teammate", "member", sys.argv[2])
    company = records.add_company(ws.id, "Müller GmbH", "mueller.example")
    db.session.commit()
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    mine, theirs = accounts.Actor.for_user(mia), accounts.Actor.for_user(tom)
    def make(actor, title, days, assignee):
        payload = {"title": title, "company_id": str(company.id), "assignee_id": str(assignee.id)}
        if days is not None:
            payload["due_date"] = (today + timedelta(days=days)).isoformat()
        return str(task_service.create_task(actor, payload).task.id)
    ids = {"overdue": [make(mine, f"Overdue follow-up {n}", -3 + n, mia) for n in range(3)],
           "today": make(mine, "Call back about the quote", 0, mia)}
    for n, days in enumerate((-5, -1, 0, 1, 2, 3, 5, 8)):
        make(theirs, f"Tom's task {n}", days, tom)
    for n, days in enumerate((1, 4, 9, None)):
        make(mine, f"Mia's later task {n}", days, mia)
    db.session.remove()
    print(json.dumps({"ids": ids, "tomorrow": (today + timedelta(days=1)).isoformat()}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Keyboard:
    """Presses keys on a page and counts them."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def tab_to(self, locator, limit: int = 400) -> None:
        """Tab until `locator` has focus (as a person watching the focus ring would)."""
        handle = locator.element_handle()
        for _ in range(limit):
            if self.page.evaluate("el => document.activeElement === el", handle):
                return
            self.press("Tab")
        raise AssertionError("never reached the element by Tab")


def journey_before(page, keys: Keyboard, facts: dict) -> None:
    """The list before the workbench: Tab to each Complete button; the edit form to snooze."""
    from playwright.sync_api import expect

    for task_id in facts["ids"]["overdue"]:
        row = page.locator(f"#task-{task_id}")
        keys.tab_to(row.get_by_role("button", name="Complete", exact=False).first)
        keys.press("Enter")
        expect(row).to_have_class(re.compile(r"task-row--completed"))
    today = page.locator(f"#task-{facts['ids']['today']}")
    keys.tab_to(today.get_by_role("link", name="Edit", exact=False).first)
    keys.press("Enter")
    page.wait_for_url("**/edit**")
    due = page.get_by_label("Due date")
    keys.tab_to(due)
    year, month, day = facts["tomorrow"].split("-")
    for digit in month + day + year:  # Chromium headless shows mm/dd/yyyy; digit by digit
        keys.press(digit)
    keys.press("Enter")
    page.wait_for_url("**/tasks**")
    expect(page.locator(f"#task-{facts['ids']['today']} time")).to_have_attribute(
        "datetime", facts["tomorrow"]
    )


def journey_after(page, keys: Keyboard, facts: dict) -> None:
    """My tasks: j to the first overdue task, x three times, s and Enter (Tomorrow)."""
    from playwright.sync_api import expect

    keys.press("j")
    for task_id in facts["ids"]["overdue"]:
        keys.press("x")
        expect(page.locator(f"#task-{task_id}")).to_have_class(re.compile(r"task-row--completed"))
    keys.press("s")
    keys.press("Enter")
    expect(page.locator(f"#task-{facts['ids']['today']} time")).to_have_attribute(
        "datetime", facts["tomorrow"]
    )


def run(app_dir: Path, before: bool, idle_seconds: int) -> dict:
    from playwright.sync_api import expect, sync_playwright

    work = Path(tempfile.mkdtemp(prefix="journey-"))
    url = f"sqlite:///{work / 'journey.sqlite3'}"
    env = {**os.environ, "PYTHONPATH": str(app_dir)}
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, url, PASSWORD],
        cwd=app_dir, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    facts = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "app:create_app()"],
        cwd=app_dir,
        env={**env, "DATABASE_URL": url, "SECRET_KEY": "journey", "API_RATE_LIMIT": "0"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(
                base_url=f"http://127.0.0.1:{port}",
                viewport={"width": 1280, "height": 900},
                locale="en-GB",
            )
            page = context.new_page()
            for _ in range(100):
                try:
                    page.goto("/login")
                    break
                except Exception:  # noqa: BLE001 - the server is still starting
                    time.sleep(0.2)
            page.get_by_label("Email").fill("mia@acme.test")
            page.get_by_label("Password").fill(PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Log in").click()
            expect(page.locator(f"#task-{facts['ids']['today']}")).to_be_visible()
            page.locator("body").focus()
            keys = Keyboard(page)
            started = time.perf_counter()
            (journey_before if before else journey_after)(page, keys, facts)
            seconds = time.perf_counter() - started
            result = {"keystrokes": keys.count, "seconds": round(seconds, 2)}
            if not before and idle_seconds:
                page.goto("/tasks")
                seen: list[tuple[str, int]] = []
                page.on("response", lambda r: seen.append((r.url, r.status)))
                page.wait_for_timeout(idle_seconds * 1000)
                result["idle"] = {
                    "seconds": idle_seconds,
                    "requests": len(seen),
                    "statuses": sorted({status for _url, status in seen}),
                    "paths": sorted({u.split(str(port), 1)[1].split("?")[0] for u, _ in seen}),
                }
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--before", action="store_true", help="the list without shortcuts")
    parser.add_argument("--idle", type=int, default=60, help="idle seconds to watch (after)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = [run(args.app_dir.resolve(), args.before, args.idle if n == 0 else 0)
               for n in range(args.runs)]  # fmt: skip
    print(json.dumps({"before" if args.before else "after": results}, indent=2))


if __name__ == "__main__":
    main()
