"""docs/api.md: the OpenAPI 3.1 document at GET /v1/openapi.json is valid, public, and
describes every /v1 route, built from the definitions the code uses."""

import re

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.api import tasks as task_views
from app.api.openapi import build_document
from app.models import TASK_PRIORITIES, TASK_STATUSES
from app.services import idempotency
from app.services import tasks as task_rules

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def document(client):
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def openapi_path(rule: str) -> str:
    """/v1/tasks/<task_id> → /v1/tasks/{task_id} (with or without a converter)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_document_is_public_and_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_every_route_is_described_and_nothing_else(app, document):
    routes = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/v1")
        for method in rule.methods - IGNORED_METHODS
    }
    described = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert routes, "no /v1 routes found"
    assert routes == described


def test_served_document_is_the_built_one(document):
    assert document == build_document()


def schemas(document):
    return document["components"]["schemas"]


def test_bodies_list_exactly_the_service_fields(document):
    assert set(schemas(document)["TaskCreate"]["properties"]) == task_rules.CREATE_FIELDS
    assert set(schemas(document)["TaskUpdate"]["properties"]) == task_rules.UPDATE_FIELDS
    assert schemas(document)["TaskCreate"]["additionalProperties"] is False
    assert schemas(document)["TaskUpdate"]["additionalProperties"] is False


def test_enums_and_lengths_come_from_the_code(document):
    create = schemas(document)["TaskCreate"]["properties"]
    assert schemas(document)["TaskStatus"]["enum"] == list(TASK_STATUSES)
    assert schemas(document)["TaskPriority"]["enum"] == list(TASK_PRIORITIES)
    assert create["status"]["$ref"] == "#/components/schemas/TaskStatus"
    assert create["priority"] == {
        "anyOf": [{"$ref": "#/components/schemas/TaskPriority"}, {"type": "null"}]
    }
    assert create["title"]["maxLength"] == task_rules.TITLE_MAX
    assert create["description"]["maxLength"] == task_rules.DESCRIPTION_MAX
    assert create["task_type"]["maxLength"] == task_rules.TASK_TYPE_MAX
    limit = next(p for p in list_parameters(document) if p["name"] == "limit")
    assert limit["schema"]["maximum"] == task_rules.PAGE_LIMIT_MAX
    assert limit["schema"]["default"] == task_views.DEFAULT_LIMIT
    post = document["paths"]["/v1/tasks"]["post"]
    (key,) = [p for p in post["parameters"] if p["name"] == idempotency.HEADER]
    assert key["schema"]["maxLength"] == idempotency.KEY_MAX


def list_parameters(document):
    return document["paths"]["/v1/tasks"]["get"]["parameters"]


def test_list_parameters_are_the_ones_the_view_reads(document):
    assert [p["name"] for p in list_parameters(document)] == list(task_views.LIST_PARAMETERS)


def test_task_schema_is_what_the_api_returns(client, auth, contact, document):
    response = client.post(
        "/v1/tasks",
        json={"title": "t", "contact_id": str(contact.id), "created_date": "2026-01-01T00:00Z"},
        headers=auth,
    )
    body = response.get_json()
    assert set(schemas(document)["Task"]["properties"]) == set(body["data"])
    assert_matches(document, "TaskResponse", body)
    assert_matches(document, "TaskPage", client.get("/v1/tasks", headers=auth).get_json())
    assert_matches(document, "Error", client.get("/v1/tasks?limit=0", headers=auth).get_json())


def assert_matches(document, name, instance):
    registry = Registry().with_resource(
        "urn:doc", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    schema = {"$ref": f"urn:doc#/components/schemas/{name}"}
    jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.FormatChecker()
    ).validate(instance)


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def test_every_operation_documents_its_errors(document):
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        assert "500" in statuses, (path, method)
        if operation.get("security") == []:
            continue
        assert {"401", "403", "429", "503"} <= statuses, (path, method)
        if "{task_id}" in path:
            assert "404" in statuses, (path, method)
        if "requestBody" in operation or method == "get" and path == "/v1/tasks":
            assert "400" in statuses, (path, method)


def test_every_error_is_the_envelope(document):
    for name, response in document["components"]["responses"].items():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, name


def test_bearer_auth_everywhere_but_the_document(document):
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    public = [(p, m) for p, m, op in operations(document) if op.get("security") == []]
    assert public == [("/v1/openapi.json", "get")]
