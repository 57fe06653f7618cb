"""The Nu HTML checker (vnu.jar, from the npm package `vnu-jar`) over every page and htmx
fragment the browser tests load, so a markup error fails the test that met it.

One checker runs as a local web service for the whole session (Java 17 from the machine;
`JAVA` names another binary), and each distinct HTML answer is checked once. htmx's `hx-*`
attributes are not HTML, so the checker's complaints about them are dropped. A fragment is
checked inside a minimal document, wrapped in the element it is swapped into (a row in a
list, an option in a listbox).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: Messages about htmx's own attributes (`hx-get`, `hx-headers`, …), which HTML does not know.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element")
FRAGMENT_SHELL = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fragment</title>'
    # The page a fragment is swapped into has its own h1 (the fragment's h2s sit under it).
    "</head><body><h1>page</h1>{open}{html}{close}</body></html>"
)


def java() -> str | None:
    """The Java binary: `JAVA` when set (and runnable), else `java` on the PATH."""
    binary = os.environ.get("JAVA") or shutil.which("java")
    return binary if binary and os.access(binary, os.X_OK) else None


@dataclass
class Answer:
    """One HTML answer the browser received."""

    url: str
    html: str
    fragment: bool


class _TopLevel(HTMLParser):
    """Where each top-level element of a fragment starts and ends, and whether it is
    swapped out of band (`hx-swap-oob`), i.e. into some other place of the page."""

    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.parts: list[tuple[int, int, bool]] = []
        self._start: tuple[int, bool] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def split(self, html: str) -> tuple[str, str]:
        """(the fragment without its out-of-band elements, those elements)."""
        self._line_starts = [0]
        for line in html.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))
        self.feed(html)
        self.close()
        oob = [(start, end) for start, end, is_oob in self.parts if is_oob]
        main, extra, last = [], [], 0
        for start, end in oob:
            main.append(html[last:start])
            extra.append(html[start:end])
            last = end
        main.append(html[last:])
        return "".join(main), "".join(extra)

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self._start = (self._offset(), any(name == "hx-swap-oob" for name, _ in attrs))
        if tag not in self.VOID:
            self.depth += 1
        elif self.depth == 0 and self._start:
            self.parts.append(
                (
                    self._start[0],
                    self._offset() + len(self.get_starttag_text() or ""),
                    self._start[1],
                )
            )

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        self.depth -= 1
        if self.depth == 0 and self._start:
            end = self._offset() + len(f"</{tag}>")
            self.parts.append((self._start[0], end, self._start[1]))
            self._start = None


#: `form="…"` on a control: the form it belongs to may live elsewhere in the page.
FORM_OWNER = re.compile(r'\sform="([^"]+)"')


def as_document(answer: Answer) -> str:
    """A whole document to check: pages as they are, fragments inside a minimal one.

    A fragment's out-of-band elements (`hx-swap-oob`) go to the body, outside the wrapper
    of the rest; a form that the fragment's controls name but do not contain is added as
    an empty one, as the page they are swapped into has it.
    """
    if not answer.fragment:
        return answer.html
    html, out_of_band = _TopLevel().split(answer.html)
    owners = "".join(
        f'<form id="{name}"></form>'
        for name in sorted(set(FORM_OWNER.findall(html)))
        if f'id="{name}"' not in html
    )
    return _wrapped(html).replace("</body>", out_of_band + owners + "</body>")


def _wrapped(html: str) -> str:
    start = html.lstrip()[:200]
    if start.startswith("<li") and 'role="option"' in start:
        open_, close = '<ul role="listbox" aria-label="suggestions">', "</ul>"
    elif start.startswith("<li"):
        open_, close = "<ul>", "</ul>"
    elif start.startswith("<tr"):
        open_, close = "<table><tbody>", "</tbody></table>"
    else:
        open_, close = "<main>", "</main>"
    return FRAGMENT_SHELL.format(open=open_, html=html, close=close)


@dataclass
class NuChecker:
    """vnu.jar's web service on 127.0.0.1, started once; `problems` checks answers."""

    port: int
    process: subprocess.Popen | None = None
    log: Any = None
    checked: dict[str, list[str]] = field(default_factory=dict)

    @staticmethod
    def missing() -> str | None:
        """What the checker lacks to run (Java, the jar), or None."""
        if java() is None:
            return "the HTML checker needs Java 17 (apt-get install openjdk-17-jre-headless)"
        if not VNU_JAR.exists():
            return f"the HTML checker needs {VNU_JAR} (make install)"
        return None

    def start(self, log_path: Path, timeout: float = 90) -> NuChecker:
        binary = java()
        if binary is None or self.missing():
            raise RuntimeError(self.missing())
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                binary,
                "-cp",
                str(VNU_JAR),
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "nu.validator.servlet.Main",
                str(self.port),
            ],  # fmt: skip
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vnu exited: {log_path.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2).read()
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError("the HTML checker did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.log:
            self.log.close()

    def messages(self, document: str) -> list[dict]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/?out=json",
            data=document.encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)["messages"]

    def problems(self, answer: Answer) -> list[str]:
        """The checker's errors and warnings for one answer, but those about `hx-*`."""
        document = as_document(answer)
        digest = hashlib.sha256(document.encode()).hexdigest()
        if digest not in self.checked:
            found = []
            for message in self.messages(document):
                if message["type"] == "info" and message.get("subType") != "warning":
                    continue
                if HTMX_ATTRIBUTE.match(message["message"]):
                    continue
                kind = "fragment" if answer.fragment else "page"
                line = message.get("lastLine", "?")
                found.append(
                    f"{kind} {answer.url} line {line}: {message['message']}"
                    f"\n      {message.get('extract', '').strip()[:160]}"
                )
            self.checked[digest] = found
        return self.checked[digest]
