"""`python -m bench.first_load`: bytes over the wire for the first load of /tasks.

Serves a scratch SQLite database with gunicorn (2 workers), signs in with Debian's Chromium
through Playwright, clears the browser cache, loads /tasks and sums, for every response of
the page (document, CSS, scripts, icon), its headers and its body as transferred. It does
that once as Chromium asks (Accept-Encoding: gzip, deflate, br, zstd) and once asking for
no compression, in the same run, so the saving is a ratio and not a single number; then a
repeat visit, when content-hashed static files come from the cache. See docs/security.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright

from app import create_app
from app.extensions import db
from app.services import accounts
from tests.live import LiveServer

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
EMAIL, PASSWORD = "bench@example.test", "bench passphrase"


def first_load(browser, base: str, headers: dict[str, str]) -> tuple[list[tuple], list[tuple]]:
    context = browser.new_context(extra_http_headers=headers)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/tasks**")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    loads = []
    for _visit in range(2):
        finished = []

        def keep(request, finished=finished):
            finished.append(request)

        page.on("requestfinished", keep)
        page.goto(base + "/tasks", wait_until="networkidle")
        page.remove_listener("requestfinished", keep)
        rows = []
        for request in finished:
            sizes = request.sizes()
            response = request.response()
            rows.append(
                (
                    request.url.removeprefix(base),
                    sizes["responseHeadersSize"] + sizes["responseBodySize"],
                    response.headers.get("content-encoding", "-") if response else "-",
                )
            )
        loads.append(rows)
    context.close()
    return loads[0], loads[1]


def main() -> None:
    directory = Path(tempfile.mkdtemp(prefix="crm-first-load-"))
    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        workspace = accounts.create_workspace("Bench", "Europe/Berlin")
        accounts.create_user(workspace, EMAIL, "Bench", "member", PASSWORD)
        db.engine.dispose()
    server = LiveServer(url, workers=2, env={"LOGIN_FAILURE_LIMIT": "0"})
    server.start(directory / "gunicorn.log")
    try:
        base = f"http://127.0.0.1:{server.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            compressed, repeat = first_load(browser, base, {})
            plain, _ = first_load(browser, base, {"Accept-Encoding": "identity"})
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
    for label, rows in (("as Chromium asks", compressed), ("uncompressed", plain)):
        print(f"First load of /tasks, {label}:")
        for path, size, encoding in rows:
            print(f"  {size:8,d}  {encoding:5s} {path}")
        print(f"  {sum(r[1] for r in rows):8,d}  total, {len(rows)} responses")
    total, total_plain = sum(r[1] for r in compressed), sum(r[1] for r in plain)
    print(f"Compressed / uncompressed: {total / total_plain:.2f}")
    print(f"Repeat visit: {sum(r[1] for r in repeat):,d} bytes in {len(repeat)} responses")


if __name__ == "__main__":
    main()
