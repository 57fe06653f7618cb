"""The kinds of record a task links to: one entry each, read by every part that maps a kind.

A task's parent is a contact, a company, a deal or an event (docs/rules.md §1-§2). Each
kind's key, model, id field, URL segment and labels are stated here once; the services
(name resolution, autocomplete, the search index and its versions, task links and
filters), the forms, the record pages and the search endpoints all read them from
`KINDS`. Adding a kind is its model (with a `<key>_id` column on `Task`, a migration and a
parent-link CHECK that names it) and one entry here; `tests/test_kinds.py` checks that every
consumer then covers it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString

from app.i18n import lazy_gettext as _l
from app.models import Company, Contact, Deal, Event, NamedRecord


@dataclass(frozen=True)
class RecordKind:
    """One kind of parent record. Its name as people read it is the model's `display_name`
    (a contact's first and last name, an event's title), folded into `name_folded`."""

    #: What services and templates call it ("contact"); `search_version.kind` stores it.
    key: str
    model: type[NamedRecord]
    #: The URL segment of its pages and its autocomplete (`/contacts/<id>`, `/search/contacts`).
    segment: str
    label: LazyString
    plural: LazyString
    #: Whether a task may name it instead of giving its id (`contact_name`, docs/rules.md §3).
    #: Deals and events must be picked by id.
    resolved_by_name: bool = False

    @property
    def id_field(self) -> str:
        """The task's link column, the API field and the filter: `contact_id`."""
        return f"{self.key}_id"

    @property
    def name_field(self) -> str | None:
        """The field that names the record instead (`contact_name`), if the kind has one."""
        return f"{self.key}_name" if self.resolved_by_name else None

    @property
    def payload_fields(self) -> tuple[str, ...]:
        """The task fields that set this link: the id, and the name where there is one."""
        return (self.id_field, self.name_field) if self.name_field else (self.id_field,)

    @property
    def text_field(self) -> str:
        """The form's combobox text: the name field, else a query that is never sent."""
        return self.name_field or f"{self.key}_query"

    @property
    def page_endpoint(self) -> str:
        """The record page's endpoint, for `url_for(..., record_id=)`."""
        return f"web.{self.key}_page"


#: The kinds, in the order forms and pages show them.
KINDS: tuple[RecordKind, ...] = (
    RecordKind("contact", Contact, "contacts", _l("Contact"), _l("Contacts"), True),
    RecordKind("company", Company, "companies", _l("Company"), _l("Companies"), True),
    RecordKind("deal", Deal, "deals", _l("Deal"), _l("Deals")),
    RecordKind("event", Event, "events", _l("Event"), _l("Events")),
)
BY_KEY: dict[str, RecordKind] = {kind.key: kind for kind in KINDS}
BY_SEGMENT: dict[str, RecordKind] = {kind.segment: kind for kind in KINDS}
BY_MODEL: dict[type[NamedRecord], RecordKind] = {kind.model: kind for kind in KINDS}
#: `{key: model}`, for code that only needs the model of a kind.
MODELS: dict[str, type[NamedRecord]] = {kind.key: kind.model for kind in KINDS}
#: The task's link columns, in the order of KINDS.
ID_FIELDS: tuple[str, ...] = tuple(kind.id_field for kind in KINDS)
#: The fields that name a record instead of giving its id.
NAME_FIELDS: tuple[str, ...] = tuple(k.name_field for k in KINDS if k.name_field is not None)
