"""Command-line tools: `flask --app app <command>`. Each prints its result as the last line."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the commands to `app.cli`."""
