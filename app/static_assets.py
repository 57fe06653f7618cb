"""Static files: content-hashed names, gzip and brotli, cached for good by browsers.

Two libraries do the work, no hand-written file serving:

* Flask-Static-Digest (`flask --app app digest compile`, run by `make`) writes a copy of
  every file under `static/` named after its MD5 (`css/app-<md5>.css`), its `.gz` and `.br`
  versions, and `static/cache_manifest.json`; templates ask `static_url_for` for the
  hashed name. A changed file gets a new name, so a year of caching never serves an old one.
* WhiteNoise serves `static/` in front of Flask: the `.br` or `.gz` twin when the browser
  accepts it (`Vary: Accept-Encoding`), `Cache-Control: max-age=315360000, public,
  immutable` (ten years) for hashed names, and `max-age=0` for plain names, which browsers
  revalidate (ETag / Last-Modified).

A manifest older than a file under `static/` (someone edited app.css and did not run make)
is ignored, so a development server never points at a stale copy; pages then link plain
names, which browsers revalidate on every load.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import Flask
from flask_static_digest import FlaskStaticDigest
from whitenoise import WhiteNoise

#: Flask-Static-Digest's names: `<name>-<32 hex digits of MD5>.<ext>`.
HASHED_NAME = re.compile(r"-[0-9a-f]{32}\.[^/]+$")
MANIFEST = "cache_manifest.json"

digest = FlaskStaticDigest()
log = logging.getLogger(__name__)


def is_hashed(path: str, url: str) -> bool:
    """WhiteNoise's test for files that can be cached forever (their name is their content)."""
    return bool(HASHED_NAME.search(url))


def add_static_headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def manifest_is_current(static_folder: Path) -> bool:
    """True when cache_manifest.json is newer than every source file under `static_folder`."""
    manifest = static_folder / MANIFEST
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    for path in static_folder.rglob("*"):
        if (
            path.is_file()
            and path.name != MANIFEST
            and path.suffix not in (".gz", ".br")
            and not HASHED_NAME.search(path.name)
            and path.stat().st_mtime > built
        ):
            log.warning("%s changed after %s was built: run make to rebuild it", path, MANIFEST)
            return False
    return True


def register_static_assets(app: Flask) -> None:
    app.config.setdefault("FLASK_STATIC_DIGEST_COMPRESSION", ["gzip", "brotli"])
    digest.init_app(app)
    static_folder = Path(app.static_folder or "static")
    if not manifest_is_current(static_folder):
        digest.manifests.pop("static", None)
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(static_folder),
        prefix=app.static_url_path,
        max_age=0,
        immutable_file_test=is_hashed,
        add_headers_function=add_static_headers,
        allow_all_origins=False,
    )
