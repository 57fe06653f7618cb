"""Contacts, companies, deals and events: creating them with their folded search names.

Tasks link to these records; the CLI's import and demo seed, and the tests, create them
through here so `name_folded` is always in step with the name.
"""

from __future__ import annotations

import functools
import itertools
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Company, Contact, Deal, Event, NamedRecord, joined_name, utcnow
from app.services import search_index
from app.services.text import fold_name


def find_or_add_company(workspace_id: uuid.UUID, name: str, domain: str | None = None) -> Company:
    """The workspace's company of exactly this name, added (not committed) when missing."""
    name = name.strip()
    company = db.session.scalar(
        sa.select(Company)
        .where(Company.workspace_id == workspace_id, Company.name_folded == fold_name(name))
        .order_by(Company.name == name)  # prefer an exact spelling when folding collides
        .limit(1)
    )
    return company or add_company(workspace_id, name, domain)


def add_company(
    workspace_id: uuid.UUID, name: str, domain: str | None = None, *, id: uuid.UUID | None = None
) -> Company:
    company = Company(
        id=id or uuid.uuid4(), workspace_id=workspace_id, name=name.strip(), domain=domain
    )
    company.refresh_folded_name()
    db.session.add(company)
    return company


def add_contact(
    workspace_id: uuid.UUID,
    first_name: str,
    last_name: str,
    email: str | None = None,
    company: Company | None = None,
    *,
    id: uuid.UUID | None = None,
) -> Contact:
    contact = Contact(
        id=id or uuid.uuid4(),
        workspace_id=workspace_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        company_id=company.id if company else None,
        company=company,
    )
    contact.refresh_folded_name()
    db.session.add(contact)
    return contact


def add_deal(
    workspace_id: uuid.UUID,
    name: str,
    stage: str | None = None,
    amount: Decimal | None = None,
    company: Company | None = None,
    contact: Contact | None = None,
    *,
    id: uuid.UUID | None = None,
) -> Deal:
    deal = Deal(
        id=id or uuid.uuid4(),
        workspace_id=workspace_id,
        name=name.strip(),
        stage=stage,
        amount=amount,
        company=company,
        contact=contact,
    )
    deal.refresh_folded_name()
    db.session.add(deal)
    return deal


def add_event(
    workspace_id: uuid.UUID,
    title: str,
    starts_at: datetime,
    location: str | None = None,
    *,
    id: uuid.UUID | None = None,
) -> Event:
    event = Event(
        id=id or uuid.uuid4(),
        workspace_id=workspace_id,
        title=title.strip(),
        starts_at=starts_at,
        location=location,
    )
    event.refresh_folded_name()
    db.session.add(event)
    return event


#: Called with how many more units of work are done; the CLI turns it into a progress bar.
Progress = Callable[[int], None]
#: Rows per INSERT batch: large enough to be fast, small enough to keep memory flat.
BULK_CHUNK_SIZE = 5_000


def display_name(model: type[NamedRecord], row: Mapping[str, Any]) -> str:
    """The display name of a plain row of `model`, by the model's own rule."""
    return joined_name(*(row.get(column) for column in model.NAME_COLUMNS))


def insert_many(
    model: type[NamedRecord],
    rows: Iterable[dict[str, Any]],
    *,
    progress: Progress | None = None,
    chunk_size: int = BULK_CHUNK_SIZE,
) -> int:
    """Insert plain rows of a named record in batches, without committing.

    Each row holds the model's attribute names; `id`, `name_folded` and `created_at` are
    filled in when missing. This is the fast path for imports and the demo seed: one
    executemany per batch instead of one ORM object per record. Returns the row count.

    Rows are stamped with their workspace's search version, raised once in this
    transaction (`search_index.note_change`): Core inserts bypass the session hook that
    stamps ORM writes, and without the stamp other processes' search indexes would not
    see the new names.
    """
    now = utcnow()
    kind = search_index.KIND_OF[model]
    versions: dict[uuid.UUID, int] = {}

    def version(workspace_id: uuid.UUID) -> int:
        if workspace_id not in versions:
            versions[workspace_id] = search_index.note_change(workspace_id, kind)
        return versions[workspace_id]

    # Big files and the demo repeat names a lot; folding each distinct one once is faster.
    fold = functools.lru_cache(maxsize=1 << 16)(fold_name)
    count = 0
    rows = iter(rows)
    # itertools.batched needs Python 3.12; the project supports 3.11.
    while chunk := list(itertools.islice(rows, chunk_size)):
        batch = [
            {
                **row,
                "id": row.get("id") or uuid.uuid4(),
                "name_folded": fold(display_name(model, row)),
                "created_at": row.get("created_at") or now,
                "search_version": version(row["workspace_id"]),
            }
            for row in chunk
        ]
        # render_nulls keeps every row's column set the same, so each batch is a single
        # executemany; otherwise the ORM splits it wherever a None value comes or goes.
        db.session.execute(sa.insert(model).execution_options(render_nulls=True), batch)
        count += len(batch)
        if progress:
            progress(len(batch))
    return count
