"""Five realistic tasks, created by keyboard in real Chromium against a real gunicorn: once
with Quick add, once with the full form (docs/quick_add.md). Counts keystrokes and times it.

    python -m bench.quick_add            # both ways, --runs 3 each

Each run seeds a fresh SQLite workspace, logs in (not counted), then presses keys as a
person who knows the page would: Quick add is `q` (only for the first task: after a save
the line keeps the focus), the line, Enter; the form is `n`, the
title, Tab to each field it needs, a few letters and ArrowDown/Enter in each record's
autocomplete, the date and time typed digit by digit, a letter to choose from a select,
and Enter on "Create task". "Seconds" is scripted wall-clock time from the first key to
the last task confirmed on screen: the server's and the browser's share of the work, not a
person's thinking or reading time. Every task is checked in the database afterwards: the
same links, due date, priority, type and assignee whichever way it was made.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.journey import CHROMIUM, PASSWORD, ROOT, Keyboard, free_port

ZONE = ZoneInfo("Europe/Berlin")
LINE = "quick-add-text"

SEED = r"""
import json, sys
from datetime import UTC, datetime
from flask_migrate import upgrade
from app import create_app
from app.extensions import db
from app.services import accounts, records

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "quick-add",
                  "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
with app.app_context():
    upgrade()
    ws = accounts.create_workspace("Acme Sales", "Europe/Berlin")
    accounts.create_user(ws, "mia@acme.test", "Mia Member", "member", sys.argv[2])
    accounts.create_user(ws, "tom@acme.test", "Tom Berger", "member", sys.argv[2])
    w = ws.id
    ml = records.add_company(w, "Müller Logistik GmbH")
    initech = records.add_company(w, "Initech")
    globex = records.add_company(w, "Globex Corporation")
    records.add_contact(w, "Hans", "Müller", "hans@ml.example", ml)
    records.add_contact(w, "Jonas", "Weber", "jonas@globex.example", globex)
    records.add_contact(w, "Hanna", "Meier", "hanna@initech.example", initech)
    records.add_deal(w, "Due Diligence 2026", "proposal", None, ml)
    records.add_deal(w, "Fleet Renewal", "won", None, globex)
    records.add_event(w, "Hannover Messe 2027", datetime(2027, 4, 19, 9, tzinfo=UTC), "Hannover")
    db.session.commit()
    db.session.remove()
"""

CHECK = r"""
import json, sys
import sqlalchemy as sa
from app import create_app
from app.extensions import db
from app.models import Company, Contact, Deal, Event, Task, User

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "quick-add"})
with app.app_context():
    def name(model, rid):
        return db.session.get(model, rid).display_name if rid else None
    found = {}
    for t in db.session.scalars(sa.select(Task)):
        found[t.title] = {
            "contact": name(Contact, t.contact_id), "company": name(Company, t.company_id),
            "deal": name(Deal, t.deal_id), "event": name(Event, t.event_id),
            "due": t.due_date.isoformat(), "time": t.due_at is not None,
            "priority": t.priority, "type": t.task_type,
            "assignee": db.session.get(User, t.assignee_id).name if t.assignee_id else None,
        }
    print(json.dumps(found))
"""


class Typist(Keyboard):
    """Counts a typed character as one keystroke (ü is one key on a German keyboard)."""

    def type(self, text: str) -> None:
        for character in text:
            self.page.keyboard.type(character)
            self.count += 1


def tasks(today: date) -> list[dict]:
    """The five tasks: the Quick add line, and the fields the form needs for the same task."""
    friday = today + timedelta(days=(4 - today.weekday() - 1) % 7 + 1)
    end_of_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    march = date(today.year, 3, 12)
    if march < today:
        march = date(today.year + 1, 3, 12)
    return [
        {
            "line": "Call Hans Müller tomorrow 10:00 !high",
            "title": "Call Hans Müller",
            "links": {"contact": ("Hans M", "Hans Müller")},
            "due": today + timedelta(days=1),
            "time": "10:00",
            "priority": "High",
        },
        {
            "line": "Send the NDA to Müller Logistik re Due Diligence 2026 on Friday",
            "title": "Send the NDA to Müller Logistik re Due Diligence 2026",
            "links": {
                "company": ("Müller L", "Müller Logistik GmbH"),
                "deal": ("Due D", "Due Diligence 2026"),
            },
            "due": friday,
        },
        {
            "line": "Email Jonas Weber the revised offer in 3 days #email",
            "title": "Email Jonas Weber the revised offer",
            "links": {"contact": ("Jonas", "Jonas Weber")},
            "due": today + timedelta(days=3),
            "type": "email",
        },
        {
            "line": "Book the stand at Hannover Messe 2027 by 12 March @Tom",
            "title": "Book the stand at Hannover Messe 2027",
            "links": {"event": ("Hannover", "Hannover Messe 2027")},
            "due": march,
            "assignee": "Tom Berger",
        },
        {
            "line": "Invoice Initech end of month !low",
            "title": "Invoice Initech",
            "links": {"company": ("Initech", "Initech")},
            "due": end_of_month,
            "priority": "Low",
        },
    ]


def by_quick_add(page, keys: Typist, task: dict) -> None:
    from playwright.sync_api import expect

    # After a save the line has the focus again: the next task is typed straight away.
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    if page.evaluate("document.activeElement && document.activeElement.id") != LINE:
        keys.press("q")
    keys.type(task["line"])
    keys.press("Enter")
    expect(page.locator("#quick-add-preview")).to_contain_text(f"Created “{task['title']}”")


def pick(page, keys: Typist, kind: str, query: str, label: str) -> None:
    """Type a few letters into a record's autocomplete, ArrowDown to `label`, Enter."""
    from playwright.sync_api import expect

    box = page.locator(f"#{kind}-combobox input[role='combobox']")
    keys.tab_to(box)
    keys.type(query)
    listbox = page.get_by_role("listbox", name=f"{kind.capitalize()} suggestions")
    expect(listbox.get_by_role("option").filter(has_text=label).first).to_be_visible()
    for _ in range(10):
        keys.press("ArrowDown")
        active = box.get_attribute("aria-activedescendant")
        if active and page.locator(f"#{active}").get_attribute("data-label") == label:
            keys.press("Enter")
            return
    raise AssertionError(f"{label} not offered for {query!r}")


def by_form(page, keys: Typist, task: dict) -> None:
    from playwright.sync_api import expect

    keys.press("n")
    title = page.get_by_label("Title")
    expect(title).to_be_focused()
    keys.type(task["title"])
    for kind, (query, label) in task["links"].items():
        pick(page, keys, kind, query, label)
    if "priority" in task:
        keys.tab_to(page.get_by_label("Priority"))
        keys.press(task["priority"][0])
    if "type" in task:
        keys.tab_to(page.get_by_label("Type"))
        keys.type(task["type"])
    keys.tab_to(page.get_by_label("Due date"))
    due: date = task["due"]
    for digit in f"{due:%m%d%Y}":  # Chromium's date field, digit by digit (mm/dd/yyyy)
        keys.press(digit)
    if "time" in task:
        keys.tab_to(page.get_by_label("Time (optional)"))
        for digit in task["time"].replace(":", ""):
            keys.press(digit)
        if page.get_by_label("Time (optional)").input_value() != task["time"]:
            keys.press("A")  # a 12-hour field: AM
    if "assignee" in task:
        keys.tab_to(page.get_by_label("Assignee"))
        keys.press(task["assignee"][0])
    keys.tab_to(page.get_by_role("button", name="Create task"))
    keys.press("Enter")
    expect(page.get_by_text(f"Created “{task['title']}”")).to_be_visible()


def run(way: str) -> dict:
    from playwright.sync_api import expect, sync_playwright

    work = Path(tempfile.mkdtemp(prefix="quick-add-"))
    url = f"sqlite:///{work / 'quick.sqlite3'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", SEED, url, PASSWORD], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "app:create_app()"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url, "SECRET_KEY": "quick-add", "API_RATE_LIMIT": "0"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    today = __import__("datetime").datetime.now(ZONE).date()
    five = tasks(today)
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
            context.set_default_timeout(15_000)
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
            expect(page.get_by_label("Quick add")).to_be_visible()
            page.locator("body").focus()
            keys = Typist(page)
            started = time.perf_counter()
            for task in five:
                (by_quick_add if way == "quick_add" else by_form)(page, keys, task)
            seconds = time.perf_counter() - started
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    checked = subprocess.run([sys.executable, "-c", CHECK, url], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)  # fmt: skip
    stored = json.loads(checked.stdout.strip().splitlines()[-1])
    for task in five:
        got = stored[task["title"]]
        expected = {
            **{kind: label for kind, (_query, label) in task["links"].items()},
            "due": task["due"].isoformat(),
            "time": "time" in task,
            "priority": task.get("priority", "").lower() or None,
            "type": task.get("type"),
            "assignee": task.get("assignee", "Mia Member"),
        }
        wrong = {k: got.get(k) for k, v in expected.items() if got.get(k) != v}
        assert not wrong, f"{way}: {task['title']!r} was stored with {wrong}, expected {expected}"
    return {"keystrokes": keys.count, "seconds": round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = {way: [run(way) for _ in range(args.runs)] for way in ("quick_add", "form")}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
