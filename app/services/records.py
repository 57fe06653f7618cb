"""Contacts, companies, deals and events: creating them with their folded search names.

Tasks link to these records; the CLI's import and demo seed, and the tests, create them
through here so `name_folded` is always in step with the name.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Company, Contact, Deal, Event
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
    company = Company(id=id or uuid.uuid4(), workspace_id=workspace_id, name=name.strip(), domain=domain)
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
