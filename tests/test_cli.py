"""The command-line tools: each prints its result as the last line, errors on stderr."""

from __future__ import annotations

import json
import re
import shlex
import stat
import uuid
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import ApiKey, Company, Contact, Deal, Event, Task, User, Workspace
from app.services import accounts, importing, task_keys
from app.services.tasks import PARENT_LINKS
from app.services.text import fold_name, name_key

UUID_LINE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
KNOWN_ID = "7d0f1c52-8b8a-4f4e-9a51-2f0c3a9e6b11"


@pytest.fixture(autouse=True)
def credentials_file(app, tmp_path) -> Path:
    """Where seed-demo writes in these tests: never the developer's instance/ file."""
    path = tmp_path / "demo-credentials.json"
    app.config["DEMO_CREDENTIALS_PATH"] = str(path)
    return path


def invoke(runner, *args: str, input: str | None = None):
    return runner.invoke(args=list(args), input=input)


def last_line(result) -> str:
    return result.stdout.strip().splitlines()[-1]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def csv_file(tmp_path: Path, text: str, *, bom: bool = False) -> str:
    path = tmp_path / "records.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return str(path)


# create-workspace ----------------------------------------------------------------------


def test_create_workspace_prints_its_id(runner, ctx):
    result = invoke(runner, "create-workspace", "Acme Sales", "--timezone", "Europe/Berlin")
    assert result.exit_code == 0, result.output
    workspace = db.session.get(Workspace, uuid.UUID(last_line(result)))
    assert (workspace.name, workspace.timezone) == ("Acme Sales", "Europe/Berlin")


def test_create_workspace_defaults_to_utc(runner, ctx):
    result = invoke(runner, "create-workspace", "Globex")
    assert db.session.get(Workspace, uuid.UUID(last_line(result))).timezone == "UTC"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Acme Sales", "--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["Acme Sales"], "a workspace called 'Acme Sales' exists already"),
        (["  "], "name: is required"),
    ],
)
def test_create_workspace_refuses_bad_input(runner, workspace, args, message):
    result = invoke(runner, "create-workspace", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert result.stdout == ""
    assert count(Workspace) == 1


# create-user ---------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["name", "id"])
def test_create_user_prints_its_id(runner, workspace, by):
    ref = workspace.name if by == "name" else str(workspace.id)
    result = invoke(
        runner, "create-user", "--workspace", ref, "--email", "Ada@Acme.test",
        "--name", "Ada Admin", "--role", "admin", "--password", "s3cret-pass",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.get(User, uuid.UUID(last_line(result)))
    assert (user.workspace_id, user.email, user.role) == (workspace.id, "ada@acme.test", "admin")
    assert accounts.authenticate_user("ada@acme.test", "s3cret-pass") == user


def test_create_user_asks_for_the_password_twice_without_echo(runner, workspace):
    result = invoke(
        runner, "create-user", "--workspace", "Acme Sales", "--email", "mia@acme.test",
        "--name", "Mia", "--role", "member", input="typed-secret\ntyped-secret\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "typed-secret" not in result.output
    assert "Repeat for confirmation" in result.output
    assert accounts.authenticate_user("mia@acme.test", "typed-secret").role == "member"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"--workspace": "Initech"}, 1, "error: Workspace 'Initech' not found"),
        ({"--role": "owner"}, 2, "Invalid value for '--role'"),
        ({"--email": "mia@acme.test"}, 1, "email: is taken by another user"),
        ({"--email": "not-an-email"}, 1, "email: is not an email address"),
        ({"--password": "short"}, 1, "password: must have at least 8 characters"),
    ],
)
def test_create_user_refuses_bad_input(runner, member, change, status, message):
    options = {
        "--workspace": "Acme Sales",
        "--email": "new@acme.test",
        "--name": "New Person",
        "--role": "member",
        "--password": "long-enough",
    } | change
    result = invoke(runner, "create-user", *[part for item in options.items() for part in item])
    assert result.exit_code == status
    assert message in result.stderr
    assert count(User) == 1


# create-api-key ------------------------------------------------------------------------


def test_create_api_key_prints_the_secret_last(runner, workspace):
    result = invoke(
        runner, "create-api-key", "--workspace", "Acme Sales", "--name", "Zapier",
        "--scopes", "activities:read, activities:write",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    secret = last_line(result)
    assert secret.startswith("wbk_")
    key = accounts.authenticate_api_key(secret)
    assert (key.workspace_id, key.name) == (workspace.id, "Zapier")
    assert key.scope_set == {accounts.READ, accounts.WRITE}
    assert secret not in key.secret_hash


@pytest.mark.parametrize(
    ("workspace_ref", "scopes", "message"),
    [
        ("Acme Sales", "activities:read,activities:delete", "scopes: choose from"),
        ("Acme Sales", ",", "scopes: choose from"),
        ("Initech", "activities:read", "Workspace 'Initech' not found"),
    ],
)
def test_create_api_key_refuses_bad_input(runner, workspace, workspace_ref, scopes, message):
    result = invoke(
        runner, "create-api-key", "--workspace", workspace_ref, "--name", "k", "--scopes", scopes
    )
    assert result.exit_code == 1
    assert message in result.stderr
    assert count(ApiKey) == 0


# import-csv ----------------------------------------------------------------------------


def import_csv(runner, tmp_path, kind: str, text: str, *, bom: bool = False):
    path = csv_file(tmp_path, text, bom=bom)
    return invoke(runner, "import-csv", "--workspace", "Acme Sales", "--kind", kind, path)


@pytest.mark.parametrize(
    ("kind", "model", "text"),
    [
        (
            "companies",
            Company,
            "name,domain\nMüller GmbH,mueller.example\nGlobex,\nInitech,initech.example\n",
        ),
        (
            "contacts",
            Contact,
            "first_name,last_name,email,company\nHans,Müller,hans@mueller.example,Müller GmbH\n"
            "Łukasz,Nowak,,\n",
        ),
        ("deals", Deal, "name,stage,amount,company\nRenewal 2026,proposal,12500.50,Globex\n"),
        (
            "events",
            Event,
            "title,starts_at,location\nKick-off,2026-03-10T09:00,Berlin\n"
            "Review,2026-03-11T15:30:00Z,\nFair,2026-04-01,Hannover\n",
        ),
    ],
)
def test_import_csv_prints_the_count(runner, workspace, tmp_path, kind, model, text):
    result = import_csv(runner, tmp_path, kind, text)
    assert result.exit_code == 0, result.output
    rows = text.count("\n") - 1
    assert last_line(result) == str(rows)
    imported = db.session.scalars(sa.select(model)).all()
    assert len(imported) == rows
    assert all(r.workspace_id == workspace.id for r in imported)
    assert all(r.name_folded == fold_name(r.display_name) for r in imported)


def test_import_csv_reads_each_column(runner, workspace, tmp_path):
    import_csv(runner, tmp_path, "deals", "name,stage,amount,company\nRenewal,won,1e3,Globex\n")
    deal = db.session.scalar(sa.select(Deal))
    assert (deal.name, deal.stage, deal.amount) == ("Renewal", "won", Decimal("1000.00"))
    assert deal.company_id == db.session.scalar(
        sa.select(Company.id).where(Company.name == "Globex")
    )


def test_import_csv_reads_local_times_in_the_workspace_zone(runner, workspace, tmp_path):
    text = "title,starts_at\nKick-off,2026-03-10T09:00\nCall,2026-07-01 09:00+02:00\n"
    import_csv(runner, tmp_path, "events", text)
    starts = db.session.scalars(sa.select(Event.starts_at).order_by(Event.starts_at)).all()
    assert starts == [
        datetime(2026, 3, 10, 8, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 7, 0, tzinfo=UTC),
    ]


def test_import_csv_keeps_the_given_id(runner, workspace, tmp_path):
    result = import_csv(
        runner,
        tmp_path,
        "contacts",
        f"id,first_name,last_name\n{KNOWN_ID},Ada,Lovelace\n,Alan,Turing\n",
    )
    assert last_line(result) == "2"
    assert db.session.get(Contact, uuid.UUID(KNOWN_ID)).display_name == "Ada Lovelace"


def test_import_csv_creates_a_missing_company_once_and_reuses_existing_ones(
    runner, workspace, contact, tmp_path
):
    text = (
        "first_name,last_name,email,company\n"
        "Ann,Aa,,Globex\nBen,Bb,,globex\nCem,Cc,,Müller GmbH\nDan,Dd,,MULLER GMBH\n"
    )
    result = import_csv(runner, tmp_path, "contacts", text)
    assert last_line(result) == "4"
    companies = {c.name: c.id for c in db.session.scalars(sa.select(Company))}
    assert sorted(companies) == ["Globex", "Müller GmbH"]
    by_name = {c.first_name: c.company_id for c in db.session.scalars(sa.select(Contact))}
    assert by_name["Ann"] == by_name["Ben"] == companies["Globex"]
    assert by_name["Cem"] == by_name["Dan"] == contact.company_id


def test_import_csv_understands_a_byte_order_mark(runner, workspace, tmp_path):
    result = import_csv(
        runner, tmp_path, "companies", "name,domain\r\nGlobex,globex.example\r\n", bom=True
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Company.domain)) == "globex.example"


CONTACTS_HEADER = "id,first_name,last_name,email,company\n"
GOOD_CONTACT = ",Ann,Aa,ann@example.test,Newco\n"


@pytest.mark.parametrize(
    ("kind", "header", "bad_row", "problem"),
    [
        (
            "contacts",
            CONTACTS_HEADER,
            "not-a-uuid,Dan,Dd,,\n",
            "id 'not-a-uuid' is not a valid UUID",
        ),
        ("contacts", CONTACTS_HEADER, ",Dan,,,\n", "last_name is required"),
        (
            "contacts",
            CONTACTS_HEADER,
            ",Dan,Dd,dan-at-example,\n",
            "email: is not an email address",
        ),
        (
            "contacts",
            CONTACTS_HEADER,
            f",{'D' * 101},Dd,,\n",
            "first_name must be at most 100 characters (got 101)",
        ),
        ("contacts", CONTACTS_HEADER, ",Dan,Dd\n", "expected 5 values, found 3"),
        (
            "contacts",
            CONTACTS_HEADER,
            f",Dan,Dd,,{'C' * 201}\n",
            "company must be at most 200 characters",
        ),
        (
            "deals",
            "name,amount,company\n",
            "Big one,12.345,Newco\n",
            "amount: '12.345' has more than two decimal places",
        ),
        (
            "deals",
            "name,amount,company\n",
            "Big one,1.000,50,Newco\n",
            "expected 3 values, found 4",
        ),
        (
            "deals",
            "name,amount,company\n",
            "Big one,lots,Newco\n",
            "amount: 'lots' is not a decimal number",
        ),
        (
            "events",
            "title,starts_at\n",
            "Fair,2026-02-30\n",
            "starts_at: 2026-02-30 is not a real date",
        ),
        ("events", "title,starts_at\n", "Fair,next tuesday\n", "starts_at: expected an ISO 8601"),
    ],
    ids=[
        "bad-uuid",
        "missing-last-name",
        "bad-email",
        "name-too-long",
        "too-few-values",
        "company-too-long",
        "amount-too-precise",
        "too-many-values",
        "amount-not-a-number",
        "impossible-date",
        "not-a-date",
    ],
)
def test_import_csv_reports_a_bad_row_by_line_and_imports_nothing(
    runner, workspace, tmp_path, kind, header, bad_row, problem
):
    good = {
        "contacts": GOOD_CONTACT,
        "deals": "Small one,10,Newco\n",
        "events": "Fair,2026-03-01\n",
    }
    text = header + good[kind] * 2 + bad_row + good[kind]
    result = import_csv(runner, tmp_path, kind, text)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 1 problem found; nothing was imported")
    assert f"line 4: {problem}" in result.stderr
    assert result.stdout == ""
    assert count(importing.KINDS[kind].model) == 0
    assert count(Company) == 0  # not even the company the good rows named


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("first_name,last_name,phone", "unknown column 'phone'"),
        ("first_name,email", "missing column last_name"),
        ("first_name,last_name,last_name", "column last_name given twice"),
    ],
)
def test_import_csv_checks_the_header(runner, workspace, tmp_path, header, problem):
    result = import_csv(runner, tmp_path, "contacts", f"{header}\nAnn,Aa,x\n")
    assert result.exit_code == 1
    assert f"line 1: {problem}" in result.stderr
    assert count(Contact) == 0


def test_import_csv_counts_lines_as_in_the_file(runner, workspace, tmp_path):
    # A quoted value may hold a line break: line numbers are the file's, not row numbers.
    text = 'title,starts_at,location\nFair,2026-03-01,"Hall 4\nBooth 12"\n\nParty,tomorrow,\n'
    result = import_csv(runner, tmp_path, "events", text)
    assert "line 5: starts_at" in result.stderr


def test_import_csv_refuses_ids_used_twice_or_already(runner, workspace, contact, tmp_path):
    text = f"id,first_name,last_name\n{KNOWN_ID},A,B\n{KNOWN_ID},C,D\n{contact.id},E,F\n"
    result = import_csv(runner, tmp_path, "contacts", text)
    assert result.exit_code == 1
    assert f"line 3: id {KNOWN_ID} is used on line 2 too" in result.stderr
    assert f"line 4: id {contact.id} is already used" in result.stderr
    assert count(Contact) == 1


def test_import_csv_stops_after_enough_problems(runner, workspace, tmp_path):
    text = "first_name,last_name\n" + "Ann,\n" * 100
    result = import_csv(runner, tmp_path, "contacts", text)
    assert f"{importing.MAX_PROBLEMS} problems found (stopped looking" in result.stderr
    assert result.stderr.count("last_name is required") == importing.MAX_PROBLEMS


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        ("name\nMüller\n".encode("latin-1"), "The file is not UTF-8 text"),
        (b"name\n" + b"x" * 200_000 + b"\n", "The file is not readable CSV"),
    ],
)
def test_import_csv_refuses_files_it_cannot_read(runner, workspace, tmp_path, content, message):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    result = invoke(
        runner, "import-csv", "--workspace", "Acme Sales", "--kind", "companies", str(path)
    )
    assert result.exit_code == 1
    assert message in result.stderr


def test_import_reports_progress_in_lines(workspace):
    text = "first_name,last_name\n" + "Ann,Aa\n" * 2500
    reported: list[int] = []
    assert importing.import_records(workspace, "contacts", StringIO(text), reported.append) == 2500
    assert sum(reported) == 2500
    assert len(reported) == 3


# seed-demo and demo-credentials --------------------------------------------------------


def seed(runner, *args: str):
    result = invoke(runner, "seed-demo", *args)
    assert result.exit_code == 0, result.output
    return result


def contacts_named(name: str) -> list[Contact]:
    return db.session.scalars(
        sa.select(Contact).where(Contact.name_folded == fold_name(name))
    ).all()


def test_seed_demo_creates_a_workspace_to_log_in_to(runner, ctx, credentials_file):
    result = seed(runner)
    workspace = db.session.scalar(sa.select(Workspace).where(Workspace.name == "Demo Workspace"))
    assert workspace.timezone == "Europe/Berlin"
    user = accounts.authenticate_user("demo@example.com", "demo-password")
    assert (user.workspace_id, user.role) == (workspace.id, "admin")
    key = accounts.authenticate_api_key(last_line(result))
    assert key.workspace_id == workspace.id
    assert key.scope_set == {accounts.READ, accounts.WRITE}
    assert [count(m) for m in (Contact, Company, Deal, Event)] == [300, 38, 60, 30]
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Task.workspace_id == workspace.id)) >= 5
    )

    saved = json.loads(credentials_file.read_text())
    assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
    assert saved["api_key"] == last_line(result)
    assert (saved["email"], saved["password"]) == ("demo@example.com", "demo-password")
    assert saved["workspace_id"] == str(workspace.id)
    assert db.session.get(Contact, uuid.UUID(saved["contact_id"])).display_name == "Hans Müller"


def test_seed_demo_names_are_international_with_twins_and_near_names(runner, ctx):
    seed(runner)
    (hans,) = contacts_named("hans muller")  # the one the curl example means
    assert len(contacts_named("Hanna Müller")) == 1
    twins = contacts_named("Anna Schmidt")
    assert len(twins) == 2
    assert twins[0].company_id != twins[1].company_id
    names = {c.display_name for c in db.session.scalars(sa.select(Contact))}
    for accented in ("Jürgen Weiß", "José García", "Emre Çelik", "Văn An Nguyễn"):
        assert accented in names
    assert any("Łukasz" in name for name in names)
    stages = set(db.session.scalars(sa.select(Deal.stage)))
    assert stages <= {"lead", "qualified", "proposal", "negotiation", "won", "lost"}
    assert all(d for d in db.session.scalars(sa.select(Company.domain)))


def test_seed_demo_is_the_same_every_time(runner, ctx):
    seed(runner)
    seed(runner, "--workspace-name", "Second Demo")
    names = {}
    for contact in db.session.scalars(sa.select(Contact)):
        names.setdefault(contact.workspace_id, []).append(contact.display_name)
    first, second = (sorted(n) for n in names.values())
    assert first == second
    assert accounts.authenticate_user("demo+second-demo@example.com", "demo-password")


def test_seed_demo_removes_what_it_made_when_it_fails(runner, ctx):
    accounts.create_user(
        accounts.create_workspace("Elsewhere"), "demo@example.com", "Taken", "member", "x" * 8
    )
    result = invoke(runner, "seed-demo")
    assert result.exit_code == 1
    assert "email: is taken by another user" in result.stderr
    assert accounts.find_workspace("Elsewhere")
    assert count(Workspace) == 1
    assert count(Contact) == count(ApiKey) == 0


def test_seed_demo_refuses_an_existing_workspace(runner, ctx, credentials_file):
    first_key = last_line(seed(runner))
    result = invoke(runner, "seed-demo")
    assert result.exit_code == 1
    assert "a workspace called 'Demo Workspace' exists already" in result.stderr
    assert count(Workspace) == 1
    assert json.loads(credentials_file.read_text())["api_key"] == first_key


def test_seed_demo_scales_with_contacts(runner, ctx):
    seed(runner, "--contacts", "2000")
    assert [count(m) for m in (Contact, Company, Deal, Event)] == [2000, 250, 400, 200]


def test_seed_demo_never_makes_two_people_an_ambiguity_list_cannot_tell_apart(runner, ctx):
    seed(runner, "--contacts", "5000")
    people = Counter(
        (name_key(c.display_name), c.email, c.company_id)
        for c in db.session.scalars(sa.select(Contact))
    )
    assert people.most_common(1)[0][1] == 1


def test_seed_demo_generates_tasks_over_the_demo_records(runner, ctx):
    result = seed(runner, "--tasks", "3000")
    assert "3000 generated tasks" in result.output
    generated = db.session.scalars(sa.select(Task).where(Task.title.not_like("%the renewal"))).all()
    assert len(generated) >= 3000
    statuses = Counter(t.status for t in generated)
    assert set(statuses) == {"open", "in_progress", "completed"}
    assert statuses["completed"] > statuses["open"] > statuses["in_progress"]
    assert all(any(getattr(t, link) for link in PARENT_LINKS) for t in generated)
    assert any(t.due_date is None for t in generated) and any(t.due_at for t in generated)
    assert any("mandate" in t.title for t in generated)
    # The stored keys match what an ORM write would have stored.
    for task in generated[:200]:
        assert task.due_sort == task_keys.due_sort_key(task.due_date, task.due_at)
        assert task.title_folded == task_keys.fold_title(task.title)


def test_seed_demo_needs_its_featured_contacts(runner, ctx):
    result = invoke(runner, "seed-demo", "--contacts", "3")
    assert result.exit_code == 2
    assert count(Workspace) == 0


def test_demo_credentials_without_a_seed_exits_1(runner, ctx):
    result = invoke(runner, "demo-credentials")
    assert result.exit_code == 1
    assert "no demo workspace yet: run flask --app app seed-demo" in result.stderr


def test_demo_credentials_print_a_working_curl_example(runner, client, ctx):
    secret = last_line(seed(runner))
    result = invoke(runner, "demo-credentials")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000" in result.stdout
    assert "demo@example.com / demo-password" in result.stdout
    assert f'-H "Authorization: Bearer {secret}"' in result.stdout
    bodies = [
        json.loads(shlex.split(line)[1]) for line in result.stdout.splitlines() if "-d '" in line
    ]
    assert [b.get("contact_name") for b in bodies] == [None, "hans muller"]
    hans = db.session.get(Contact, uuid.UUID(bodies[0]["contact_id"]))
    assert hans.display_name == "Hans Müller"
    for body in bodies:
        response = client.post(
            "/v1/tasks", json=body, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 201, response.json
        assert response.json["data"]["contact_id"] == str(hans.id)


def test_demo_credentials_notice_a_new_database(runner, ctx):
    seed(runner)
    db.session.execute(sa.delete(Workspace))
    db.session.commit()
    result = invoke(runner, "demo-credentials")
    assert result.exit_code == 1
    assert "run flask --app app seed-demo" in result.stderr


def test_demo_credentials_path_can_come_from_the_environment(app, tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.json"
    monkeypatch.setenv("CRM_TASKS_DEMO_CREDENTIALS", str(path))
    # The environment is read when the app starts, as in a real process.
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")}
    started = create_app({**config, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with started.app_context():
        seed(started.test_cli_runner())
        db.session.remove()
        db.engine.dispose()
    assert json.loads(path.read_text())["email"] == "demo@example.com"


def test_purge_expired_removes_only_old_idempotency_records(runner, app, contact, api_key):
    from datetime import timedelta

    import sqlalchemy as sa

    from app.extensions import db
    from app.models import IdempotencyRecord
    from app.services import dates

    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_key}"}
    for key in ("old", "fresh"):
        response = client.post(
            "/v1/tasks",
            json={"title": key, "contact_id": str(contact.id)},
            headers={**headers, "Idempotency-Key": key},
        )
        assert response.status_code == 201
    with app.app_context():
        old = db.session.scalar(sa.select(IdempotencyRecord).where(IdempotencyRecord.key == "old"))
        old.created_at = dates.now() - timedelta(hours=25)
        db.session.commit()
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "1"
    with app.app_context():
        keys = db.session.scalars(sa.select(IdempotencyRecord.key)).all()
    assert keys == ["fresh"]


def test_demo_credentials_use_the_given_url(runner, app, tmp_path):
    app.config["DEMO_CREDENTIALS_PATH"] = str(tmp_path / "demo.json")
    assert runner.invoke(args=["seed-demo", "--contacts", "40"]).exit_code == 0
    result = runner.invoke(args=["demo-credentials", "--url", "http://127.0.0.1:5077/"])
    assert result.exit_code == 0, result.output
    assert "curl -X POST http://127.0.0.1:5077/v1/tasks" in result.output
    assert "5000" not in result.output
