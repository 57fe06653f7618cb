"""Upgrade-in-place tests: build an older revision, fill it, upgrade, check the rows.

`fresh_database(backend, tmp_path)` gives an empty database URL (SQLite file, or a schema of
its own on PostgreSQL) and a cleanup; `migrate(url, revision)` runs Alembic up to a revision.
Rows are inserted with plain SQL, because the models describe the newest schema.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.conftest import _postgres_url


def fresh_database(backend: str, tmp_path) -> tuple[str, Callable[[], None]]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'upgrade.sqlite3'}", lambda: None
    base = _postgres_url()
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"

    def cleanup() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    return f"{base}{sep}options=-csearch_path%3D{schema}", cleanup


def migrate(url: str, revision: str = "head") -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade(revision=revision)
        db.engine.dispose()


def insert(conn, table: str, **values) -> None:
    columns = ", ".join(f'"{name}"' for name in values)
    params = ", ".join(f":{name}" for name in values)
    conn.execute(sa.text(f'INSERT INTO "{table}" ({columns}) VALUES ({params})'), values)
