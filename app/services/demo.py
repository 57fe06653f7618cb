"""A demo workspace with realistic, international data to try the app and the API on.

The data comes from a fixed random seed, so every run builds the same names, companies,
deals and events (event times are relative to the day of seeding). Names carry accents
and include same-name pairs and near names on purpose: they are what fuzzy matching and
the ambiguity rules of docs/rules.md §3 are about. Records go in through bulk inserts so a
stress-sized workspace (100,000 contacts) loads in seconds.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import os
import random
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from app.extensions import db
from app.models import Company, Contact, Deal, Event, User, Workspace
from app.services import accounts, dates, records, tasks
from app.services.records import Progress
from app.services.tasks import TITLE_MAX
from app.services.text import fold_name, name_key

DEMO_WORKSPACE_NAME = "Demo Workspace"
DEMO_TIMEZONE = "Europe/Berlin"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_USER_NAME = "Demo Admin"
DEMO_SCOPES = [accounts.READ, accounts.WRITE]
DEFAULT_CONTACTS = 300
RANDOM_SEED = 2026
DEAL_STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")
#: The contact the README's and `demo-credentials`' curl examples create a task for.
FEATURED_CONTACT = "Hans Müller"


@dataclass(frozen=True)
class Locale:
    """Names of one language area, to combine into people and companies."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    legal_forms: tuple[str, ...]
    city: str


# The data tables below are laid out by hand, one language area per block.
# fmt: off
LOCALES: tuple[Locale, ...] = (
    Locale(
        ("Hans", "Jürgen", "Anna", "Lukas", "Sophie", "Jörg", "Günther", "Ute", "Katrin",
         "Matthias", "Sabine", "Felix", "Lea", "Maximilian", "Björn", "Dörte", "Klaus", "Till"),
        ("Schneider", "Fischer", "Weiß", "Meyer", "Wagner", "Becker", "Schäfer", "Köhler",
         "Hoffmann", "Groß", "Krüger", "Vogel", "Böhm", "Lehmann", "Zimmermann", "Braun"),
        ("GmbH", "AG", "KG", "GmbH & Co. KG"),
        "Berlin",
    ),
    Locale(
        ("Jean", "François", "Hélène", "Chloé", "Zoé", "Léa", "Mathieu", "Amélie", "Benoît",
         "Céline", "Jérôme", "Gaëlle", "Noël", "Élodie", "Thierry"),
        ("Dupont", "Lefèvre", "Moreau", "Girard", "Bonnet", "Rousseau", "Fontaine",
         "Chevalier", "Lambert", "Bérenger", "Gauthier", "Mercier", "Faure", "Perrin"),
        ("SARL", "SA", "SAS"),
        "Paris",
    ),
    Locale(
        ("José", "María", "Lucía", "Álvaro", "Sofía", "Javier", "Andrés", "Inés", "Mónica",
         "Raúl", "Begoña", "Íñigo", "Marta", "Pablo"),
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Núñez",
         "Ibáñez", "Muñoz", "Jiménez", "Álvarez", "Romero", "Castaño"),
        ("S.L.", "S.A."),
        "Madrid",
    ),
    Locale(
        ("Łukasz", "Agnieszka", "Małgorzata", "Krzysztof", "Paweł", "Zofia", "Wojciech",
         "Katarzyna", "Michał", "Joanna", "Bartłomiej", "Jędrzej"),
        ("Kowalski", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowski", "Zieliński",
         "Szymańska", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowska", "Mazur"),
        ("sp. z o.o.", "S.A."),
        "Kraków",
    ),
    Locale(
        ("Emre", "Ayşe", "Zeynep", "Çağla", "Burak", "Elif", "Gökhan", "Şule", "Oğuz",
         "İbrahim", "Özge", "Murat"),
        ("Kaya", "Demir", "Şahin", "Öztürk", "Aydın", "Arslan", "Doğan", "Kılıç", "Koç",
         "Güneş", "Polat", "Erdoğan"),
        ("A.Ş.", "Ltd. Şti."),
        "İstanbul",
    ),
    Locale(
        # Vietnamese names are family name first; a CRM stores the given names as first_name.
        ("Văn An", "Thị Lan", "Minh", "Hương", "Đức", "Thảo", "Quang", "Ngọc", "Tuấn",
         "Phương", "Bảo", "Linh"),
        ("Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô",
         "Dương"),
        ("JSC", "Co., Ltd."),
        "Hà Nội",
    ),
    Locale(
        ("Olivia", "Emily", "Oliver", "Charlotte", "Harry", "Amelia", "George", "Isla", "Jack",
         "Grace", "Siobhán", "Thomas"),
        ("Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Johnson", "O'Brien",
         "Walsh", "Murphy", "Davies", "Clarke"),
        ("Ltd", "plc", "LLP"),
        "London",
    ),
    Locale(
        ("Søren", "Åsa", "Mette", "Lars", "Ingrid", "Jørgen", "Sigrún", "Ástríður"),
        ("Jørgensen", "Lindqvist", "Ångström", "Nørgaard", "Sørensen", "Håkansson"),
        ("A/S", "AB", "AS"),
        "København",
    ),
)

#: Trades a company is in; combined with a family name or a brand word.
SECTORS = ("Logistics", "Software", "Engineering", "Energy", "Consulting", "Textiles",
           "Foods", "Analytics", "Construction", "Robotics", "Health", "Media")
BRANDS = ("Nordlicht", "Rheinwerk", "Alpenblick", "Lumière", "Ibérica", "Wisła", "Boğaziçi",
          "Sông Hồng", "Thames", "Fjord", "Hansa", "Atlas", "Orion", "Meridian", "Aurora",
          "Kestrel", "Polaris", "Zenit", "Mistral", "Saffron")

#: Companies the featured contacts belong to: the first ones the seed creates.
FEATURED_COMPANIES: tuple[tuple[str, str], ...] = (
    ("Müller Logistik GmbH", "mueller-logistik.example"),
    ("Nordlicht Software AG", "nordlicht-software.example"),
    ("Atelier Lumière SARL", "atelier-lumiere.example"),
    ("Soluciones Ibéricas S.L.", "soluciones-ibericas.example"),
    ("Wisła Robotics sp. z o.o.", "wisla-robotics.example"),
    ("Boğaziçi Tekstil A.Ş.", "bogazici-tekstil.example"),
    ("Sông Hồng Trading JSC", "song-hong-trading.example"),
    ("Thames Analytics Ltd", "thames-analytics.example"),
)

#: (first name, last name, index into FEATURED_COMPANIES): the people the demo is about.
#: Same-name pairs sit at different companies; near names differ by a letter or two.
FEATURED_CONTACTS: tuple[tuple[str, str, int], ...] = (
    ("Hans", "Müller", 0),
    ("Hanna", "Müller", 1),
    ("Anna", "Schmidt", 1),
    ("Anna", "Schmidt", 2),
    ("Jürgen", "Weiß", 0),
    ("José", "García", 3),
    ("Łukasz", "Nowak", 4),
    ("Jan", "Nowak", 4),
    ("Jana", "Nowak", 2),
    ("Emre", "Çelik", 5),
    ("Mehmet", "Yılmaz", 5),
    ("Mehmet", "Yılmaz", 7),
    ("Văn An", "Nguyễn", 6),
    ("François", "Lefèvre", 2),
    ("James", "Smith", 7),
    ("James", "Smith", 0),
    ("Siobhán", "O'Brien", 7),
    ("Søren", "Jørgensen", 1),
)

PRODUCTS = ("CRM rollout", "Annual licence renewal", "Fleet telematics", "Support contract",
            "Cloud migration", "Training package", "Warehouse scanners", "Website relaunch",
            "Data migration", "Pilot project", "Security audit", "Framework agreement")
EVENT_TITLES = ("Product demo", "Quarterly business review", "Kick-off meeting",
                "Contract negotiation", "Customer workshop", "Site visit", "Webinar",
                "Steering committee", "Onboarding session", "Trade fair meeting")
LOCATIONS = ("Berlin, Friedrichstraße 68", "München, Leopoldstraße 12",
             "Paris, 12 rue de Rivoli", "Madrid, Calle de Alcalá 45",
             "Kraków, ul. Floriańska 3", "İstanbul, İstiklal Caddesi 101",
             "Hà Nội, Phố Hàng Bạc 22", "London, 10 Finsbury Square",
             "København, Strøget 4", "Video call", None)
# fmt: on
MIN_CONTACTS = len(FEATURED_CONTACTS)


@dataclass(frozen=True)
class DemoSizes:
    """How many records of each kind a demo workspace gets, in proportion to its contacts."""

    contacts: int
    companies: int
    deals: int
    events: int
    #: Generated tasks, beyond the handful of sample tasks every demo has.
    tasks: int = 0

    @classmethod
    def for_contacts(cls, contacts: int = DEFAULT_CONTACTS, tasks: int = 0) -> DemoSizes:
        """Companies ≈ contacts/8, deals ≈ contacts/5, events ≈ contacts/10."""
        if contacts < MIN_CONTACTS:
            raise ValueError(f"a demo workspace has at least {MIN_CONTACTS} contacts")
        if tasks < 0:
            raise ValueError("a demo workspace cannot have fewer than 0 generated tasks")
        return cls(
            contacts=contacts,
            companies=max(len(FEATURED_COMPANIES), round(contacts / 8)),
            deals=max(1, round(contacts / 5)),
            events=max(1, round(contacts / 10)),
            tasks=tasks,
        )

    @property
    def total(self) -> int:
        """Rows to insert: the unit of the progress reports."""
        return self.contacts + self.companies + self.deals + self.events + self.tasks


@dataclass(frozen=True)
class DemoCredentials:
    """What it takes to use the demo workspace; kept in a local file for `make run`."""

    workspace_id: str
    workspace_name: str
    email: str
    password: str
    api_key: str
    contact_id: str
    contact_name: str

    def save(self, path: Path) -> None:
        """Write the credentials readable by the owner only (the file holds a live secret)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600; the rename makes the write atomic.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".demo-credentials-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(asdict(self), handle, ensure_ascii=False, indent=2)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> DemoCredentials | None:
        """The credentials saved at `path`, or None when there are none (or not readable)."""
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def workspace_exists(self) -> bool:
        """Whether the database still has this workspace (it may have been recreated)."""
        try:
            return db.session.get(Workspace, uuid.UUID(self.workspace_id)) is not None
        except ValueError:
            return False


def demo_email(workspace_name: str) -> str:
    """The demo admin's login: `demo@example.com`, tagged for any other demo workspace.

    Emails are unique across workspaces, so a second demo needs an address of its own.
    """
    if workspace_name == DEMO_WORKSPACE_NAME:
        return DEMO_EMAIL
    local, domain = DEMO_EMAIL.split("@")
    tag = fold_name(workspace_name).replace(" ", "-") or "workspace"
    return f"{local}+{tag}@{domain}"


#: How far ahead the demo's "due soon" task is due (its reminder is due at seed time).
DEMO_REMINDER_LEAD = timedelta(minutes=15)


def seed_demo(
    workspace_name: str = DEMO_WORKSPACE_NAME,
    sizes: DemoSizes | None = None,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> DemoCredentials:
    """Create the demo workspace with its admin, API key, records and a few tasks.

    Raises ValidationError when a workspace of that name exists. A failure half-way
    removes what was created, so the seed can simply be run again.
    """
    sizes = sizes or DemoSizes.for_contacts()
    now = now or dates.now()
    workspace = accounts.create_workspace(workspace_name, DEMO_TIMEZONE)
    try:
        email = demo_email(workspace.name)
        user = accounts.create_user(workspace, email, DEMO_USER_NAME, "admin", DEMO_PASSWORD)
        admin = accounts.Actor.for_user(user)
        _key, secret = accounts.create_api_key(admin, "Demo key", DEMO_SCOPES)
        data = DemoData(workspace, sizes, now)
        data.insert(progress)
        db.session.commit()
        data.add_sample_tasks(admin)
        if sizes.tasks:
            add_demo_tasks(workspace.id, sizes.tasks, progress=progress, now=now)
    except BaseException:
        db.session.rollback()
        # Cascades to every record of the workspace, so a failed seed leaves nothing.
        db.session.delete(db.session.get(Workspace, workspace.id))
        db.session.commit()
        raise
    return DemoCredentials(
        workspace_id=str(workspace.id),
        workspace_name=workspace.name,
        email=email,
        password=DEMO_PASSWORD,
        api_key=secret,
        contact_id=str(data.featured_contact_id),
        contact_name=FEATURED_CONTACT,
    )


@functools.cache
def _email_local_part(first: str, last: str) -> str:
    """`hans.muller` for Hans Müller: an address people could type."""
    return fold_name(f"{first} {last}").replace(" ", ".")


class DemoData:
    """The generated rows of one demo workspace, as plain dicts ready for bulk inserts."""

    def __init__(self, workspace: Workspace, sizes: DemoSizes, now: datetime) -> None:
        self.workspace_id = workspace.id
        self.zone = workspace.zone
        self.now = now
        self.today = now.astimezone(self.zone).date()
        self.rng = random.Random(RANDOM_SEED)
        self.companies = self._companies(sizes.companies)
        self.contacts = self._contacts(sizes.contacts)
        self.deals = self._deals(sizes.deals)
        self.events = self._events(sizes.events)

    @property
    def featured_contact_id(self) -> uuid.UUID:
        """The id of Hans Müller, whom the curl examples name."""
        return self.contacts[0]["id"]

    def insert(self, progress: Progress | None) -> None:
        """Bulk insert every record, parents first (not committed)."""
        for model, rows in (
            (Company, self.companies),
            (Contact, self.contacts),
            (Deal, self.deals),
            (Event, self.events),
        ):
            records.insert_many(
                model,
                ({**row, "workspace_id": self.workspace_id} for row in rows),
                progress=progress,
            )

    def _companies(self, count: int) -> list[dict[str, Any]]:
        """The featured companies, then generated ones with unique names and domains."""
        rows = [self._company(name, domain) for name, domain in FEATURED_COMPANIES]
        names = {name for name, _ in FEATURED_COMPANIES}
        domains = {domain for _, domain in FEATURED_COMPANIES}
        while len(rows) < count:
            locale = self.rng.choice(LOCALES)
            stem = self.rng.choice((self.rng.choice(locale.last_names), self.rng.choice(BRANDS)))
            base = f"{stem} {self.rng.choice(SECTORS)}"
            name = f"{base} {self.rng.choice(locale.legal_forms)}"
            if name in names:
                name = f"{base} {locale.city} {self.rng.choice(locale.legal_forms)}"
            suffix = 2
            while name in names:  # a big workspace runs out of combinations: number them
                name = f"{base} {locale.city} {suffix} {locale.legal_forms[0]}"
                suffix += 1
            names.add(name)
            domain = slug = fold_name(base).replace(" ", "-")
            suffix = 2
            while f"{domain}.example" in domains:
                domain = f"{slug}-{suffix}"
                suffix += 1
            domains.add(f"{domain}.example")
            rows.append(self._company(name, f"{domain}.example"))
        return rows

    @staticmethod
    def _company(name: str, domain: str) -> dict[str, Any]:
        """One company row."""
        return {"id": uuid.uuid4(), "name": name, "domain": domain}

    def _contacts(self, count: int) -> list[dict[str, Any]]:
        """The featured people first (Hans Müller at index 0), then generated ones."""
        rows = [
            self._contact(first, last, self.companies[index])
            for first, last, index in FEATURED_CONTACTS
        ]
        # Random people never repeat a featured name: the pairs stay pairs and the
        # featured contact stays the only one `hans muller` means.
        reserved = {name_key(f"{first} {last}") for first, last, _ in FEATURED_CONTACTS}
        key = functools.cache(name_key)  # a few thousand distinct names, drawn many times
        # Never two people of the same name at the same company (or both at none): their
        # emails would be the same too, and an ambiguity list could not tell them apart.
        taken: set[tuple[str, uuid.UUID | None]] = set()
        while len(rows) < count:
            locale = self.rng.choice(LOCALES)
            # One in five people has a family name from another language area.
            family = self.rng.choice(LOCALES) if self.rng.random() < 0.2 else locale
            first = self.rng.choice(locale.first_names)
            last = self.rng.choice(family.last_names)
            name = key(f"{first} {last}")
            if name in reserved:
                continue
            company = self.rng.choice(self.companies) if self.rng.random() < 0.92 else None
            place = (name, company["id"] if company else None)
            if place in taken:
                continue
            taken.add(place)
            rows.append(self._contact(first, last, company))
        return rows

    def _contact(self, first: str, last: str, company: dict[str, Any] | None) -> dict[str, Any]:
        """One contact row, most with an email at their company's domain."""
        has_email = self.rng.random() < 0.9
        domain = company["domain"] if company else "mail.example"
        local = _email_local_part(first, last)
        return {
            "id": uuid.uuid4(),
            "first_name": first,
            "last_name": last,
            "email": f"{local}@{domain}" if has_email else None,
            "company_id": company["id"] if company else None,
        }

    def _deals(self, count: int) -> list[dict[str, Any]]:
        """Deals of random companies, each with one of that company's people when it has any."""
        staff: dict[uuid.UUID, list[uuid.UUID]] = {}
        for contact in self.contacts:
            if contact["company_id"]:
                staff.setdefault(contact["company_id"], []).append(contact["id"])
        rows = []
        for _ in range(count):
            company = self.rng.choice(self.companies)
            people = staff.get(company["id"])
            has_amount = self.rng.random() < 0.95
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "name": f"{company['name']} – {self.rng.choice(PRODUCTS)}",
                    "stage": self.rng.choice(DEAL_STAGES),
                    "amount": Decimal(self.rng.randrange(10, 5000) * 50) if has_amount else None,
                    "company_id": company["id"],
                    "contact_id": self.rng.choice(people) if people else None,
                }
            )
        return rows

    def _events(self, count: int) -> list[dict[str, Any]]:
        """Events on working days of the next six weeks, in office hours of the demo's zone."""
        rows = []
        for _ in range(count):
            day = self.today + timedelta(days=self.rng.randint(1, 42))
            if day.weekday() >= 5:  # meetings fall on working days
                day += timedelta(days=7 - day.weekday())
            at = time(self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45)))
            company = self.rng.choice(self.companies)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "title": f"{self.rng.choice(EVENT_TITLES)} – {company['name']}",
                    "starts_at": datetime.combine(day, at, self.zone).astimezone(UTC),
                    "location": self.rng.choice(LOCATIONS),
                }
            )
        return rows

    def add_sample_tasks(self, actor: accounts.Actor) -> None:
        """A few open, overdue and done tasks, created through the task service's rules."""

        def due(days: int) -> str:
            return (self.today + timedelta(days=days)).isoformat()

        featured = self.contacts[0]
        soon = self.now + DEMO_REMINDER_LEAD
        samples: list[dict[str, Any]] = [
            {
                # Due in 15 minutes with a reminder 15 minutes before: `make run`'s notify
                # worker writes its email to instance/mail/ on its first pass.
                "title": f"Confirm today's call with {FEATURED_CONTACT}",
                "priority": "high",
                "task_type": "call",
                "due_date": dates.isoformat_utc(soon),
                "reminder": "15m_before",
                "contact_id": str(featured["id"]),
            },
            {
                "title": f"Call {FEATURED_CONTACT} about the renewal",
                "priority": "high",
                "task_type": "call",
                "due_date": due(1),
                "contact_id": str(featured["id"]),
            },
            {
                "title": "Send the proposal to Anna Schmidt",
                "priority": "medium",
                "task_type": "email",
                "due_date": due(3),
                "contact_id": str(self.contacts[2]["id"]),
            },
            {
                "title": "Review the contract terms",
                "status": "in_progress",
                "priority": "high",
                "task_type": "follow_up",
                "due_date": due(-2),
                "deal_id": str(self.deals[0]["id"]),
            },
            {
                "title": "Prepare the agenda",
                "task_type": "meeting",
                "due_date": due(5),
                "event_id": str(self.events[0]["id"]),
            },
            {
                "title": "Update the company profile",
                "status": "completed",
                "priority": "low",
                "task_type": "todo",
                "company_id": str(self.companies[0]["id"]),
            },
            {
                "title": "Ask José García for a reference",
                "task_type": "email",
                "contact_name": "Jose Garcia",
            },
        ]
        for payload in samples:
            tasks.create_task(actor, {**payload, "assignee_id": str(actor.user_id)})


# --- Generated tasks (`seed-demo --tasks N`, the bench) -----------------------------------

#: How far back generated tasks were created: a firm's few years of follow-ups.
TASK_HISTORY_DAYS = 3 * 365
#: What a task says, per kind of record it is about; `{}` is the record's name.
# fmt: off
TASK_TITLES: dict[str, tuple[str, ...]] = {
    "contact": ("Call {}", "Email {} the engagement letter", "Send {} the draft",
                "Follow up with {}", "Meet {}", "Ask {} for the signed power of attorney",
                "Remind {} about the open invoice"),
    "company": ("Check the conflict list for {}", "Update the profile of {}",
                "Send the invoice to {}", "Review the KYC documents of {}",
                "Renew the retainer with {}"),
    "deal": ("Review the contract terms of {}", "Prepare the term sheet: {}",
             "Draft the closing checklist for {}", "File the merger notice for {}"),
    "event": ("Prepare the agenda for {}", "Book the room for {}", "Send the minutes of {}",
              "Confirm the speakers for {}"),
}
TASK_TYPES_BY_KIND = {
    "contact": ("call", "email", "meeting", "follow_up"),
    "company": ("todo", "email", "follow_up"),
    "deal": ("todo", "follow_up", "meeting"),
    "event": ("meeting", "todo", "email"),
}
# fmt: on
#: Share of titles that name a mandate (matter) number, as law firms' tasks often do.
MANDATE_SHARE = 0.1
MANDATE_NUMBERS = 999

_T = TypeVar("_T")


class DemoTaskFactory:
    """Plain task rows spread over a workspace's records, with realistic dates and states.

    Tasks were created over the last few years; each is due within a month of its
    creation (some have no due date, some a time of day); old ones are mostly completed,
    recent ones mostly open, so the default list holds a realistic few overdue and
    upcoming tasks. One in ten titles names a mandate number.
    """

    def __init__(self, workspace_id: uuid.UUID, zone, now: datetime, seed: int) -> None:
        self.workspace_id = workspace_id
        self.zone = zone
        self.now = now
        self.today = now.astimezone(zone).date()
        self.rng = random.Random(seed)
        self.parents: dict[str, list[tuple[uuid.UUID, str, uuid.UUID | None]]] = {}
        self.users: list[uuid.UUID] = []

    @classmethod
    def for_workspace(cls, workspace_id: uuid.UUID, now: datetime, seed: int) -> DemoTaskFactory:
        """A factory over the records and active users the workspace has in the database."""
        workspace = db.session.get(Workspace, workspace_id)
        if workspace is None:
            raise ValueError(f"no workspace {workspace_id}")
        factory = cls(workspace_id, workspace.zone, now, seed)

        def rows(statement) -> list:
            return list(db.session.execute(statement))

        scoped = {"workspace_id": workspace_id}
        factory.parents = {
            "contact": [
                (row.id, f"{row.first_name} {row.last_name}".strip(), row.company_id)
                for row in rows(
                    sa.select(Contact.id, Contact.first_name, Contact.last_name, Contact.company_id)
                    .filter_by(**scoped)
                    .order_by(Contact.id)
                )
            ],
            "company": [
                (row.id, row.name, None)
                for row in rows(
                    sa.select(Company.id, Company.name).filter_by(**scoped).order_by(Company.id)
                )
            ],
            "deal": [
                (row.id, row.name, row.company_id)
                for row in rows(
                    sa.select(Deal.id, Deal.name, Deal.company_id)
                    .filter_by(**scoped)
                    .order_by(Deal.id)
                )
            ],
            "event": [
                (row.id, row.title, None)
                for row in rows(
                    sa.select(Event.id, Event.title).filter_by(**scoped).order_by(Event.id)
                )
            ],
        }
        factory.users = list(
            db.session.scalars(
                sa.select(User.id)
                .where(User.workspace_id == workspace_id, User.active.is_(True))
                .order_by(User.id)
            )
        )
        return factory

    def rows(self, count: int) -> Iterator[dict[str, Any]]:
        """`count` task rows (dicts of Task attributes), generated lazily.

        Every draw is one `random()` scaled to its range: `choice`, `choices` and
        `randrange` each cost several calls in Python, and a million-task seed makes
        about ten draws a task (half the time of preparing its rows).
        """
        draw = self.rng.random
        kinds = [kind for kind in ("contact", "company", "deal", "event") if self.parents[kind]]
        # Half of all tasks are about a person; the rest about companies, deals and events.
        weights = list(
            itertools.accumulate(
                {"contact": 50, "company": 15, "deal": 20, "event": 15}[k] for k in kinds
            )
        )
        history = TASK_HISTORY_DAYS * 86_400 - 60
        priorities = (None, None, "low", "medium", "medium", "high")
        users = self.users

        def pick(items: Sequence[_T]) -> _T:
            return items[int(draw() * len(items))]

        for _ in range(count):
            kind = kinds[bisect.bisect(weights, draw() * weights[-1])]
            parent_id, name, company_id = pick(self.parents[kind])
            title = pick(TASK_TITLES[kind]).format(name)
            if draw() < MANDATE_SHARE:
                title = f"{title} (mandate {1 + int(draw() * MANDATE_NUMBERS)})"
            created = self.now - timedelta(seconds=60 + int(draw() * history))
            due_date = due_at = None
            if draw() < 0.85:
                due_date = created.astimezone(self.zone).date() + timedelta(days=int(draw() * 31))
                if draw() < 0.15:
                    at = time(8 + int(draw() * 10), pick((0, 15, 30, 45)))
                    due_at = datetime.combine(due_date, at, self.zone).astimezone(UTC)
            status = self._status(created, due_date, draw)
            completed_at = None
            if status == "completed":
                span = (self.now - created).total_seconds()
                completed_at = created + timedelta(seconds=draw() * min(span, 40 * 86_400))
            row = {
                "workspace_id": self.workspace_id,
                "title": title[:TITLE_MAX],
                "status": status,
                "priority": pick(priorities),
                "task_type": pick(TASK_TYPES_BY_KIND[kind]),
                "due_date": due_date,
                "due_at": due_at,
                "assignee_id": pick(users) if users and draw() < 0.6 else None,
                "contact_id": None,
                "company_id": None,
                "deal_id": None,
                "event_id": None,
                "created_date": created,
                "updated_at": completed_at or created,
                "completed_at": completed_at,
                "created_by_user_id": users[0] if users else None,
            }
            row[f"{kind}_id"] = parent_id
            if company_id is not None and draw() < 0.5:
                row["company_id"] = company_id  # a person's or deal's company, linked too
            yield row

    def _status(self, created: datetime, due_date, draw: Callable[[], float]) -> str:
        """Completed or not by age: old tasks are done, recent ones mostly still open."""
        if due_date is None:
            done = 0.85 if (self.now - created).days > 30 else 0.2
        else:
            days_ago = (self.today - due_date).days
            done = (
                0.995 if days_ago > 90 else 0.95 if days_ago > 7 else 0.7 if days_ago >= 0 else 0.05
            )
        if draw() < done:
            return "completed"
        return "open" if draw() < 0.75 else "in_progress"


def add_demo_tasks(
    workspace_id: uuid.UUID,
    count: int,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
    seed: int = RANDOM_SEED,
) -> int:
    """Bulk-insert `count` generated tasks over the workspace's records, and commit."""
    factory = DemoTaskFactory.for_workspace(workspace_id, now or dates.now(), seed)
    inserted = tasks.insert_many_tasks(factory.rows(count), progress=progress, expected=count)
    db.session.commit()
    return inserted
