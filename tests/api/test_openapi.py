"""The OpenAPI 3 document is public, generated from the code, and describes the bearer scheme."""

from __future__ import annotations

import pytest

DOC = "/api/v1/openapi.json"


@pytest.fixture
def document(client):
    response = client.get(DOC)  # no token
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    return response.json


def test_document_is_openapi_3(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    assert document["info"]["version"]


@pytest.mark.parametrize("path, methods", [
    ("/api/v1/auth/token", {"post"}),
    ("/api/v1/auth/token/revoke", {"post"}),
    ("/api/v1/auth/me", {"get"}),
    ("/api/v1/auth/password", {"post"}),
    ("/api/v1/users", {"get", "post"}),
    ("/api/v1/users/{uid}/disable", {"post"}),
    ("/api/v1/periods", {"get", "post"}),
    ("/api/v1/periods/{pid}", {"get"}),
])
def test_documented_routes(document, path, methods):
    assert path in document["paths"], sorted(document["paths"])
    assert methods <= set(document["paths"][path])


def test_bearer_scheme_is_declared(document):
    schemes = document["components"]["securitySchemes"]
    bearer = [s for s in schemes.values() if s.get("type") == "http"]
    assert len(bearer) == 1
    assert bearer[0]["scheme"].lower() == "bearer"


def _security(document, path, method):
    operation = document["paths"][path][method]
    return operation.get("security", document.get("security", []))


def test_token_endpoint_needs_no_security(document):
    assert _security(document, "/api/v1/auth/token", "post") in ([], [{}])


@pytest.mark.parametrize("path, method", [
    ("/api/v1/users", "post"), ("/api/v1/users", "get"), ("/api/v1/periods", "post"),
    ("/api/v1/periods", "get"), ("/api/v1/periods/{pid}", "get"), ("/api/v1/auth/me", "get"),
])
def test_protected_endpoints_require_the_bearer_scheme(document, path, method):
    schemes = set(document["components"]["securitySchemes"])
    required = {name for requirement in _security(document, path, method) for name in requirement}
    assert required and required <= schemes


def test_path_parameters_are_integers(document):
    operation = document["paths"]["/api/v1/periods/{pid}"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["pid"]["in"] == "path"
    assert parameters["pid"]["schema"]["type"] == "integer"


def test_request_bodies_reference_their_schemas(document):
    schemas = document["components"]["schemas"]
    body = document["paths"]["/api/v1/periods"]["post"]["requestBody"]
    reference = body["content"]["application/json"]["schema"]["$ref"]
    period = schemas[reference.rsplit("/", 1)[-1]]
    assert {"name", "starts_at", "ends_at", "states"} <= set(period["required"])
    token = document["paths"]["/api/v1/auth/token"]["post"]
    assert "200" in token["responses"] and "401" in token["responses"]


def test_document_does_not_need_and_ignores_a_bad_token(client):
    response = client.get(DOC, headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 200
