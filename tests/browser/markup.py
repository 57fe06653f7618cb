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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: Messages about htmx's own attributes (`hx-get`, `hx-headers`, …), which HTML does not know.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element")
FRAGMENT_SHELL = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fragment</title>'
    "</head><body>{open}{html}{close}</body></html>"
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


def as_document(answer: Answer) -> str:
    """A whole document to check: pages as they are, fragments inside a minimal one."""
    if not answer.fragment:
        return answer.html
    start = answer.html.lstrip()[:200]
    if start.startswith("<li") and 'role="option"' in start:
        open_, close = '<ul role="listbox" aria-label="suggestions">', "</ul>"
    elif start.startswith("<li"):
        open_, close = "<ul>", "</ul>"
    elif start.startswith("<tr"):
        open_, close = "<table><tbody>", "</tbody></table>"
    else:
        open_, close = "<main>", "</main>"
    return FRAGMENT_SHELL.format(open=open_, html=answer.html, close=close)


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
