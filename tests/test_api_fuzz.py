"""docs/rules.md §4: property-based fuzzing of the whole /v1 API against its own OpenAPI
document, with schemathesis driving the app in-process (WSGI) on each database backend.

For every operation, schema-valid ("positive") and schema-violating ("negative") requests
are generated, sent with a read/write key, and checked by schemathesis's checks:

- no 5xx (`not_a_server_error`);
- the status, content type, headers and body match the document
  (`status_code_conformance`, `content_type_conformance`, `response_headers_conformance`,
  `response_schema_conformance`);
- schema-violating input is refused (`negative_data_rejection`), valid input is accepted
  (`positive_data_acceptance`), and the key is really required (`ignored_auth`);

and by this module: every error is the JSON envelope `{"error": {"code", "message"}}`.

Schemathesis leaves out the operation that serves the document itself (GET
/v1/openapi.json); tests/test_openapi.py covers that one.

Bounded: `EXAMPLES` cases per operation and mode, no per-case deadline, and a time
budget for the whole run after which remaining cases return at once. The number of cases
run is printed, kept as the test's `fuzz_cases` property (JUnit XML), and stored in
pytest's cache (`pytest --cache-show 'crm_tasks/*'`).
"""

from __future__ import annotations

import time
from collections import Counter

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from app.services import accounts
from app.services.tasks import create_task

# Fuzzing: hundreds of generated requests per backend.
pytestmark = pytest.mark.slow

#: Cases per operation and generation mode.
EXAMPLES = 50
#: Seconds the whole run may take per backend before remaining cases are skipped.
TIME_BUDGET = 120


def fuzz_config(secret: str) -> schemathesis.Config:
    """Schemathesis settings: the key as the document's bearerAuth scheme, so negative
    cases that drop or spoil it are known to be unauthenticated, and the statuses a
    schema-valid create or patch may answer."""
    return schemathesis.Config.from_dict(
        {
            "auth": {"openapi": {"bearerAuth": {"bearer": secret}}},
            "operations": [
                {
                    # Where the document cannot say it: a schema-valid create or patch can
                    # still break a rule that spans records (no parent link, a contact of
                    # another workspace, an ambiguous name): a 400 by docs/rules.md §2, not a
                    # failure to accept valid input.
                    "include-method": ["POST", "PATCH"],
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
                        }
                    },
                }
            ],
        }
    )


@pytest.fixture
def api_schema(app, api_key):
    return schemathesis.openapi.from_wsgi("/v1/openapi.json", app, config=fuzz_config(api_key))


@pytest.fixture
def seeded(writer_actor, contact):
    """A few live tasks, so reads and patches also hit real rows, not only 404s."""
    return [
        create_task(writer_actor, {"title": f"Seed {n}", "contact_id": str(contact.id)}).task
        for n in range(3)
    ]


@pytest.fixture
def writer_actor(workspace):
    key, _ = accounts.create_api_key(
        accounts.Actor.operator(workspace), "seed", [accounts.READ, accounts.WRITE]
    )
    return accounts.Actor.for_api_key(key)


def assert_envelope(response) -> None:
    """Every error is JSON: {"error": {"code": "...", "message": "...", ...}}."""
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (response.status_code, content_type)
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]


def fuzz_operation(operation, mode, *, real, stop_at, ran, statuses):
    """Run up to EXAMPLES generated cases of one operation in one mode."""
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), aim=st.sampled_from(AIMS))
    def run(case, aim):
        if time.monotonic() > stop_at:
            ran["skipped: over the time budget"] += 1
            return
        if mode is GenerationMode.POSITIVE and "cursor" in (case.query or {}):
            # Any string fits the document, but only a cursor the server signed is one:
            # a valid request carries a cursor from an earlier page.
            case.query = {**case.query, "cursor": real["cursor"]}
        if aim == "real rows" and mode is GenerationMode.POSITIVE:
            # Steer half the valid cases at rows that exist: a live task, and a parent
            # link of this workspace on creates, so successes get checked too.
            if "task_id" in (case.path_parameters or {}):
                # A delete gets a task of its own, so later cases still find theirs.
                task_id = real["new_task_id"]() if label.startswith("DELETE") else real["task_id"]
                case.path_parameters = {"task_id": task_id}
            if case.method in ("POST", "PATCH") and isinstance(case.body, dict):
                # Random ids and names never name a record here; keep the other fields.
                body = {k: v for k, v in case.body.items() if not k.endswith(("_id", "_name"))}
                case.body = {**body, "contact_id": real["contact_id"]}
        response = case.call_and_validate()
        ran[f"{label} {mode.value}"] += 1
        statuses[response.status_code] += 1
        if response.status_code >= 400:
            assert_envelope(response)

    run()


AIMS = ["generated", "real rows"]


def test_fuzz_the_api_against_its_document(
    api_schema, client, auth, contact, seeded, writer_actor, request
):
    def new_task_id() -> str:
        return str(
            create_task(writer_actor, {"title": "Doomed", "contact_id": str(contact.id)}).task.id
        )

    real = {
        "contact_id": str(contact.id),
        "task_id": str(seeded[0].id),
        "new_task_id": new_task_id,
        "cursor": client.get("/v1/tasks?limit=1", headers=auth).get_json()["next_cursor"],
    }
    ran: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for result in api_schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(
                result.ok(),
                mode,
                real=real,
                stop_at=started + TIME_BUDGET,
                ran=ran,
                statuses=statuses,
            )

    skipped = ran.pop("skipped: over the time budget", 0)
    total = sum(ran.values())
    elapsed = time.monotonic() - started
    summary = {
        "cases": total,
        "skipped_over_time_budget": skipped,
        "seconds": round(elapsed, 1),
        "per_operation": dict(ran),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }
    print(
        f"\nschemathesis fuzz: {total} cases in {elapsed:.1f}s"
        f" ({skipped} skipped over the time budget); statuses {summary['statuses']}"
    )
    request.node.user_properties.append(("fuzz_cases", total))
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    if cache is not None:
        cache.set(f"crm_tasks/fuzz_{request.node.callspec.id}", summary)
    assert total > 0
    assert statuses.keys() & {200, 201, 204}, "no request succeeded: the fuzz only hit errors"
