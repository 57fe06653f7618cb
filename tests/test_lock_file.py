"""requirements-dev.lock pins every dependency pyproject.toml asks for (`make lock` updates it).

A dependency added to pyproject.toml without re-running `make lock` would be missing from a
fresh install, since `make` installs only what the lock file lists.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements-dev.lock").read_text().splitlines():
        if match := PIN.match(line):
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(text) for text in texts]


def test_lock_file_pins_every_declared_dependency_within_its_range():
    locked = pins()
    assert len(locked) > 20, "requirements-dev.lock looks empty"
    problems = []
    for requirement in declared():
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not in requirements-dev.lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside {requirement.specifier}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_every_pin_carries_a_hash():
    text = (ROOT / "requirements-dev.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
    assert not unhashed, f"pins without hashes: {unhashed}"
