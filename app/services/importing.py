"""Importing companies, contacts, deals and events from CSV files, all or nothing.

Every row is checked before anything is written. A file with any bad row imports nothing
and the error lists each problem as `line N: ...` with N counted as in the file (the
header is line 1), so the file can be fixed and imported again as a whole.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db
from app.models import Company, Contact, Deal, Event, NamedRecord, Workspace
from app.services import dates, records
from app.services.errors import ValidationError
from app.services.records import Progress
from app.services.text import fold_name

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

#: Problems collected before giving up: enough to fix a file in one go, short to read.
MAX_PROBLEMS = 20
#: Lines read between two progress reports (a report per row would slow a big import).
PROGRESS_EVERY = 1_000
HEADER_LINE = 1
ID_COLUMN = "id"
#: The column naming a company by name; it becomes `company_id`.
COMPANY_COLUMN = "company"
#: Numeric(14, 2): twelve digits before the decimal point.
AMOUNT_LIMIT = Decimal(10) ** 12
CENT = Decimal("0.01")


def _email(value: str, _tz: ZoneInfo) -> str:
    """An email address, checked as loosely as user accounts check theirs."""
    if "@" not in value or any(ch.isspace() for ch in value):
        raise ValueError("is not an email address")
    return value


def _amount(value: str, _tz: ZoneInfo) -> Decimal:
    """A plain decimal (`1250.50`) that fits the amount column: cents, twelve digits."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number such as 1250.50") from None
    if not amount.is_finite() or abs(amount) >= AMOUNT_LIMIT:
        raise ValueError(f"{value!r} is out of range")
    if amount != amount.quantize(CENT):
        raise ValueError(f"{value!r} has more than two decimal places")
    return amount.quantize(CENT)


@dataclass(frozen=True)
class CsvColumn:
    """One column a kind of file may have, and how its text becomes a model value."""

    name: str
    required: bool = False
    parse: Callable[[str, ZoneInfo], Any] | None = None


@dataclass(frozen=True)
class CsvKind:
    """What a file of one kind holds: its model and its columns besides `id`."""

    model: type[NamedRecord]
    columns: tuple[CsvColumn, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column a file of this kind may have, `id` first."""
        return (ID_COLUMN, *(c.name for c in self.columns))

    def max_length(self, column: str) -> int | None:
        """The size of the database column a text value goes into (None: unlimited)."""
        model = Company if column == COMPANY_COLUMN else self.model
        name = "name" if column == COMPANY_COLUMN else column
        return getattr(sa.inspect(model).columns[name].type, "length", None)


KINDS: dict[str, CsvKind] = {
    "companies": CsvKind(Company, (CsvColumn("name", required=True), CsvColumn("domain"))),
    "contacts": CsvKind(
        Contact,
        (
            CsvColumn("first_name", required=True),
            CsvColumn("last_name", required=True),
            CsvColumn("email", parse=_email),
            CsvColumn(COMPANY_COLUMN),
        ),
    ),
    "deals": CsvKind(
        Deal,
        (
            CsvColumn("name", required=True),
            CsvColumn("stage"),
            CsvColumn("amount", parse=_amount),
            CsvColumn(COMPANY_COLUMN),
        ),
    ),
    "events": CsvKind(
        Event,
        (
            CsvColumn("title", required=True),
            CsvColumn("starts_at", required=True, parse=dates.parse_instant),
            CsvColumn("location"),
        ),
    ),
}


class _Problems:
    """The problems found so far, by line; raises once enough are known."""

    def __init__(self) -> None:
        self.by_line: dict[int, list[str]] = {}

    def add(self, line: int, problem: str) -> None:
        self.by_line.setdefault(line, []).append(problem)
        if len(self) >= MAX_PROBLEMS:
            self.fail(stopped=True)

    def __len__(self) -> int:
        return sum(len(p) for p in self.by_line.values())

    def fail(self, *, stopped: bool = False) -> None:
        """Raise the ValidationError listing every problem, if there is any."""
        if not self.by_line:
            return
        count = len(self)
        message = f"{count} problem{'s' if count > 1 else ''} found"
        if stopped:
            message += " (stopped looking after that many)"
        raise ValidationError(
            message + "; nothing was imported",
            {f"line {line}": "; ".join(found) for line, found in sorted(self.by_line.items())},
        )


def import_records(
    workspace: Workspace, kind: str, stream: TextIO, progress: Progress | None = None
) -> int:
    """Import one CSV file of `kind` into `workspace` in one transaction; return the row count.

    `progress`, when given, is told how many more lines of the file were read. Raises
    ValidationError listing `line N` problems, and then writes nothing.
    """
    if kind not in KINDS:
        raise ValidationError.for_fields({"kind": f"must be one of {', '.join(KINDS)}"})
    spec = KINDS[kind]
    problems = _Problems()
    try:
        rows = _read_rows(spec, stream, workspace.zone, problems, progress)
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text; nothing was imported") from None
    except csv.Error as exc:  # e.g. a value over the csv module's field size limit
        raise ValidationError(
            f"The file is not readable CSV ({exc}); nothing was imported"
        ) from None
    _check_ids_unused(spec.model, rows, problems)
    problems.fail()
    try:
        _link_companies(workspace.id, rows)
        count = records.insert_many(
            spec.model, ({**values, "workspace_id": workspace.id} for _, values in rows)
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return count


def _read_rows(
    spec: CsvKind,
    stream: TextIO,
    tz: ZoneInfo,
    problems: _Problems,
    progress: Progress | None,
) -> list[tuple[int, dict[str, Any]]]:
    """Every data row as (line number, model values), noting each problem on the way."""
    reader = csv.reader(stream)
    header = _read_header(spec, next(reader, None))
    seen_ids: dict[uuid.UUID, int] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    reported = reader.line_num
    for line, cells in _numbered(reader):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines (often the last one) are not rows
        if len(cells) != len(header):
            problems.add(line, f"expected {len(header)} values, found {len(cells)}")
            continue
        values = _parse_row(spec, dict(zip(header, cells, strict=True)), tz, line, problems)
        if values is not None:
            row_id = values.get(ID_COLUMN)
            if row_id in seen_ids:
                problems.add(line, f"id {row_id} is used on line {seen_ids[row_id]} too")
            elif row_id:
                seen_ids[row_id] = line
            rows.append((line, values))
        if progress and reader.line_num - reported >= PROGRESS_EVERY:
            progress(reader.line_num - reported)
            reported = reader.line_num
    if progress and reader.line_num > reported:
        progress(reader.line_num - reported)
    return rows


def _numbered(reader: CsvReader) -> Iterator[tuple[int, list[str]]]:
    """Each row with the file line it starts on (a quoted value may span several lines)."""
    while True:
        start = reader.line_num + 1
        cells = next(reader, None)
        if cells is None:
            return
        yield start, cells


def _read_header(spec: CsvKind, cells: list[str] | None) -> list[str]:
    """The column names of the file, checked against the kind's columns."""
    if cells is None:
        raise ValidationError("The file is empty: the first line must name the columns")
    # A byte order mark survives when the stream was not opened as utf-8-sig.
    header = [cell.strip().lstrip("\ufeff").lower() for cell in cells]
    problems = []
    unknown = [name for name in header if name not in spec.column_names]
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}"
            f" (expected {', '.join(spec.column_names)})"
        )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        problems.append(f"column{'s' if len(twice) > 1 else ''} {', '.join(twice)} given twice")
    missing = [c.name for c in spec.columns if c.required and c.name not in header]
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if problems:
        raise ValidationError(
            "The header line is not right; nothing was imported",
            {f"line {HEADER_LINE}": "; ".join(problems)},
        )
    return header


def _parse_row(
    spec: CsvKind, cells: dict[str, str], tz: ZoneInfo, line: int, problems: _Problems
) -> dict[str, Any] | None:
    """The model values of one row, or None after noting its problems."""
    found: list[str] = []
    values: dict[str, Any] = {ID_COLUMN: None}
    raw_id = cells.get(ID_COLUMN, "").strip()
    if raw_id:
        try:
            values[ID_COLUMN] = uuid.UUID(raw_id)
        except ValueError:
            found.append(f"id {raw_id!r} is not a valid UUID")
    for column in spec.columns:
        text = cells.get(column.name, "").strip()
        limit = spec.max_length(column.name)
        if not text:
            if column.required:
                found.append(f"{column.name} is required")
            values[column.name] = None
        elif limit is not None and len(text) > limit:
            found.append(f"{column.name} must be at most {limit} characters (got {len(text)})")
        elif column.parse is not None:
            try:
                values[column.name] = column.parse(text, tz)
            except ValueError as exc:
                found.append(f"{column.name}: {exc}")
        else:
            values[column.name] = text
    for problem in found:
        problems.add(line, problem)
    return None if found else values


def _check_ids_unused(
    model: type[NamedRecord], rows: list[tuple[int, dict[str, Any]]], problems: _Problems
) -> None:
    """Note each given id that a record of this kind has already (in any workspace)."""
    lines = {values[ID_COLUMN]: line for line, values in rows if values[ID_COLUMN]}
    given = list(lines)
    # Chunks keep the IN list well below every backend's limit on bound parameters.
    for start in range(0, len(given), 500):
        for used in db.session.scalars(
            sa.select(model.id).where(model.id.in_(given[start : start + 500]))
        ):
            problems.add(lines[used], f"id {used} is already used")


def _link_companies(workspace_id: uuid.UUID, rows: list[tuple[int, dict[str, Any]]]) -> None:
    """Turn each row's company name into `company_id`, adding the companies that are missing."""
    cache: dict[str, uuid.UUID] = {}
    for _, values in rows:
        if COMPANY_COLUMN not in values:
            return  # this kind has no company column
        name = values.pop(COMPANY_COLUMN)
        if name is None:
            values["company_id"] = None
            continue
        key = fold_name(name)
        if key not in cache:
            cache[key] = records.find_or_add_company(workspace_id, name).id
        values["company_id"] = cache[key]
    # The companies must exist before rows that point at them are inserted.
    db.session.flush()
