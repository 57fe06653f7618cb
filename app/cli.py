"""Command-line tools: `flask --app app <command>`. Each prints its result as the last line.

Errors go to stderr as `error: <message>`, one line per problem after it, and the command
exits with status 1 (2 for a usage error, as click does). Long commands draw a progress
bar when stdout is a terminal and stay quiet otherwise, so scripts can read the last line.
"""

from __future__ import annotations

import functools
import json
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from app.config import settings
from app.extensions import db
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.models import ROLES
from app.services import (
    accounts,
    calendar,
    dates,
    demo,
    idempotency,
    importing,
    mail,
    notifications,
    tasks,
)
from app.services.errors import ServiceError
from app.services.records import Progress
from app.services.text import fold_name

DEMO_URL = "http://127.0.0.1:5000"


def register(app: Flask) -> None:
    """Attach the commands to `app.cli`."""
    for cli_command in (
        create_workspace,
        create_user,
        create_api_key,
        import_csv,
        seed_demo,
        demo_credentials,
        purge_expired,
        deactivate_user,
        activate_user,
        notify,
        calendar_url,
    ):
        app.cli.add_command(cli_command)


def fail(message: str, problems: dict[str, str] | None = None) -> NoReturn:
    """Print `error: message` and each problem to stderr, and exit with status 1."""
    click.echo(f"error: {message}", err=True)
    for name, problem in (problems or {}).items():
        line = f"{name}: {problem}"
        if line != message:  # a single-field error's message is already that line
            click.echo(f"  {line}", err=True)
    raise SystemExit(1)


def command(name: str) -> Callable[[Callable[..., None]], click.Command]:
    """Declare a CLI command: run in an app context, a ServiceError reported by `fail`."""

    def decorate(function: Callable[..., None]) -> click.Command:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> None:
            try:
                function(*args, **kwargs)
            except ServiceError as exc:
                db.session.rollback()
                fail(exc.message, getattr(exc, "fields", None))

        return click.command(name)(with_appcontext(run))

    return decorate


@contextmanager
def progress_bar(label: str, length: Callable[[], int]) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on a terminal; None when stdout is not one.

    `length` is only called when a bar is drawn, so counting the work costs nothing
    in scripts and tests.
    """
    if not sys.stdout.isatty():
        yield None
        return
    with click.progressbar(length=length(), label=label) as bar:
        yield bar.update


#: `--workspace` names a workspace by id or by exact name (see `accounts.find_workspace`).
workspace_option = click.option(
    "--workspace",
    "workspace_ref",
    required=True,
    metavar="ID_OR_NAME",
    help="The workspace, by id or by exact name.",
)


@command("create-workspace")
@click.argument("name")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone.")
@click.option(
    "--language",
    type=click.Choice(sorted(LANGUAGES)),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="Default language of its people and emails.",
)
def create_workspace(name: str, timezone: str, language: str) -> None:
    """Create a workspace; prints its id."""
    workspace = accounts.create_workspace(name, timezone, language)
    click.echo(
        f"Created workspace {workspace.name!r} ({workspace.timezone}, {workspace.language}):"
    )
    click.echo(workspace.id)


@command("purge-expired")
def purge_expired() -> None:
    """Delete what has expired; prints how many of each, the idempotency records last.

    Housekeeping for a daily cron job: tasks in the trash for over 30 days (no longer
    restorable), and Idempotency-Key records past their 24-hour replay window (never
    replayed anyway).
    """
    click.echo(f"Tasks removed from the trash: {tasks.purge_trash()}")
    click.echo("Idempotency records removed:")
    click.echo(idempotency.purge_expired())


def _instant(_ctx, _param, value: str | None):
    """`--now` as an aware UTC datetime (an ISO 8601 date-time; without offset, UTC)."""
    if value is None:
        return None
    try:
        return dates.parse_instant(value, dates.zone("UTC"))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@command("notify")
@click.option("--loop", is_flag=True, help="Keep running, one pass every --interval seconds.")
@click.option(
    "--now",
    "now",
    callback=_instant,
    metavar="ISO-8601",
    help="Act as of this instant (tests, backfills) instead of the clock.",
)
@click.option("--interval", default=60.0, show_default=True, type=click.FloatRange(min=0.1))
def notify(loop: bool, now, interval: float) -> None:
    """Queue due reminders and digests, then deliver the outbox; prints what was sent.

    Safe to run on several machines at once (each message is claimed by one sender). One
    pass suits cron or a systemd timer; --loop runs as a long-lived worker.
    """
    mail_settings = settings().mail
    transport = mail.transport_for(mail_settings)
    where = (
        f"SMTP {mail_settings.server}"
        if mail_settings.server
        else f"files in {mail_settings.file_directory}"
    )
    if loop:
        click.echo(f"notify: delivering to {where} every {interval:g} s (Ctrl+C stops)")
    while True:
        try:
            report = notifications.run_pass(transport, now=now)
        except SQLAlchemyError as exc:
            if not loop:
                raise
            # A worker outlives a database restart: the outbox keeps everything for later.
            db.session.rollback()
            click.echo(f"notify: database unavailable ({type(exc).__name__}); retrying", err=True)
            db.session.remove()
            time.sleep(interval)
            continue
        line = (
            f"queued {report.reminders} reminders and {report.digests} digests;"
            f" sent {report.delivery.sent}, failed attempts {report.delivery.failed_attempts}"
        )
        if not loop:
            click.echo(line)
            return
        if report.delivery.sent or report.delivery.failed_attempts or report.reminders:
            click.echo(line, err=True)
        db.session.remove()
        time.sleep(interval)


@command("calendar-url")
@click.option("--user", "email", required=True, help="The user's email address.")
def calendar_url(email: str) -> None:
    """Print a user's private calendar feed URL (`/calendar/<token>.ics`)."""
    user = accounts.find_user(email)
    click.echo(calendar.feed_url(user))


@command("create-user")
@workspace_option
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for (hidden, twice) when not given.",
)
def create_user(workspace_ref: str, email: str, name: str, role: str, password: str) -> None:
    """Create a user of a workspace; prints the user's id."""
    workspace = accounts.find_workspace(workspace_ref)
    user = accounts.create_user(workspace, email, name, role, password)
    click.echo(f"Created {user.role} {user.email} in {workspace.name!r}:")
    click.echo(user.id)


@command("create-api-key")
@workspace_option
@click.option("--name", required=True, help="What the key is for.")
@click.option(
    "--scopes",
    required=True,
    metavar="SCOPE,...",
    help=f"Comma-separated: {', '.join(accounts.KNOWN_SCOPES)}.",
)
def create_api_key(workspace_ref: str, name: str, scopes: str) -> None:
    """Create an API key; prints its secret, which is shown this once and never again."""
    workspace = accounts.find_workspace(workspace_ref)
    key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), name, scopes.split(",")
    )
    click.echo(f"Created API key {key.name!r} ({key.scopes}) in {workspace.name!r}.")
    click.echo("Store the secret now: it is not kept and cannot be shown again.")
    click.echo(secret)


@command("import-csv")
@workspace_option
@click.option("--kind", required=True, type=click.Choice(list(importing.KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_csv(workspace_ref: str, kind: str, file: Path) -> None:
    """Import companies, contacts, deals or events from a UTF-8 CSV file; prints the count.

    Columns: companies name,domain; contacts first_name,last_name,email,company; deals
    name,stage,amount,company; events title,starts_at,location; each may add an id column.
    A file with any bad row imports nothing.
    """
    workspace = accounts.find_workspace(workspace_ref)

    def data_lines() -> int:
        with file.open("rb") as handle:
            return max(0, sum(1 for _ in handle) - 1)

    # utf-8-sig drops the byte order mark spreadsheet programs like to write.
    with (
        file.open(encoding="utf-8-sig", newline="") as stream,
        progress_bar(f"Importing {kind}", data_lines) as progress,
    ):
        count = importing.import_records(workspace, kind, stream, progress)
    click.echo(count)


def credentials_path() -> Path:
    """Where the demo credentials live (`CRM_TASKS_DEMO_CREDENTIALS`, else instance/)."""
    return settings().demo_credentials_path


@command("seed-demo")
@click.option(
    "--contacts",
    default=demo.DEFAULT_CONTACTS,
    show_default=True,
    type=click.IntRange(min=demo.MIN_CONTACTS),
    help="Contacts to create; companies, deals and events scale with it.",
)
@click.option(
    "--tasks",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Tasks to generate over the demo records (beyond a few samples).",
)
@click.option("--workspace-name", default=demo.DEMO_WORKSPACE_NAME, show_default=True)
def seed_demo(contacts: int, tasks: int, workspace_name: str) -> None:
    """Create a demo workspace with realistic data; prints its API key secret last.

    The login, the key and a contact id are also written to the demo credentials file,
    for `demo-credentials` to show again.
    """
    sizes = demo.DemoSizes.for_contacts(contacts, tasks)
    with progress_bar("Seeding the demo workspace", lambda: sizes.total) as progress:
        credentials = demo.seed_demo(workspace_name, sizes, progress=progress)
    path = credentials_path()
    credentials.save(path)
    click.echo(
        f"Created {workspace_name!r}: {sizes.contacts} contacts, {sizes.companies} companies,"
        f" {sizes.deals} deals, {sizes.events} events"
        + (f", {sizes.tasks} generated tasks." if sizes.tasks else ".")
    )
    click.echo(f"Log in as {credentials.email} / {credentials.password}; details in {path}")
    click.echo(credentials.api_key)


@command("demo-credentials")
@click.option(
    "--url", default=DEMO_URL, show_default=True, help="Where the app is served (for the examples)."
)
def demo_credentials(url: str) -> None:
    """Show how to log in to the demo workspace and call the API (exit 1 if there is none)."""
    credentials = demo.DemoCredentials.load(credentials_path())
    if credentials is None:
        fail("no demo workspace yet: run flask --app app seed-demo")
    if not credentials.workspace_exists():
        fail(
            f"the demo workspace of {credentials_path()} is not in this database:"
            " run flask --app app seed-demo"
        )
    click.echo(describe_demo(credentials, url.rstrip("/")))


def describe_demo(credentials: demo.DemoCredentials, url: str = DEMO_URL) -> str:
    """The welcome text: where to log in, the API key, and two curl examples that work."""
    due = (date.today() + timedelta(days=7)).isoformat()
    by_id = {
        "title": f"Follow up with {credentials.contact_name}",
        "due_date": due,
        "priority": "high",
        "contact_id": credentials.contact_id,
    }
    by_name = {
        "title": "Send the pricing sheet",
        "due_date": due,
        "contact_name": fold_name(credentials.contact_name),
    }
    return "\n".join(
        [
            f"crm-tasks demo workspace {credentials.workspace_name!r}",
            f"  Open     {url}",
            f"  Log in   {credentials.email} / {credentials.password}",
            f"  API key  {credentials.api_key}",
            "",
            f"Create a task for {credentials.contact_name} by id:",
            curl_example(url, credentials.api_key, by_id),
            "",
            "or by name (matched ignoring case and accents):",
            curl_example(url, credentials.api_key, by_name),
        ]
    )


def curl_example(url: str, api_key: str, payload: dict[str, str]) -> str:
    """A copy-pasteable `curl` call creating a task with `payload`."""
    body = shlex.quote(json.dumps(payload, ensure_ascii=False))
    return (
        f"  curl -X POST {url}/v1/tasks \\\n"
        f'    -H "Authorization: Bearer {api_key}" \\\n'
        '    -H "Content-Type: application/json" \\\n'
        f"    -d {body}"
    )


@command("deactivate-user")
@click.option("--email", required=True)
def deactivate_user(email: str) -> None:
    """Deactivate a user: they cannot sign in, and every session of theirs ends at once."""
    user = accounts.set_user_active(accounts.find_user(email), False)
    click.echo(f"Deactivated {user.email}; every session of theirs has ended.")
    click.echo(user.id)


@command("activate-user")
@click.option("--email", required=True)
def activate_user(email: str) -> None:
    """Let a deactivated user sign in again."""
    user = accounts.set_user_active(accounts.find_user(email), True)
    click.echo(f"Activated {user.email}.")
    click.echo(user.id)
