"""Every debrief route of this brief is in the OpenAPI document, with its request body's
schema, and requires a bearer token."""

from __future__ import annotations

ROUTES = {
    "/api/v1/periods/{pid}/objectives": {"get", "post"},
    "/api/v1/objectives/{oid}": {"patch", "delete"},
    "/api/v1/periods/{pid}/debrief": {"get", "patch"},
    "/api/v1/periods/{pid}/debrief/responses": {"get"},
    "/api/v1/periods/{pid}/debrief/responses/{state}": {"put"},
    "/api/v1/periods/{pid}/debrief/responses/{state}/submit": {"post"},
}


def test_the_debrief_routes_are_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, methods in ROUTES.items():
        assert path in document["paths"], path
        operations = document["paths"][path]
        assert methods <= set(operations), (path, set(operations))
        for method in methods:
            assert operations[method]["security"] == [{"bearerAuth": []}], (path, method)
            assert operations[method]["tags"] == ["debrief"]
    schemas = document["components"]["schemas"]
    assert set(schemas["ResponseIn"]["properties"]) == {
        "worked", "did_not_work", "do_differently", "next_steps", "good_practice",
        "deconfliction_usefulness", "ratings"}
    assert schemas["RatingIn"]["properties"]["rating"]["enum"] == ["P", "S", "M", "U"]
    assert "handling" in schemas["DebriefOut"]["properties"]
    put = document["paths"]["/api/v1/periods/{pid}/debrief/responses/{state}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ResponseIn")


def test_the_debrief_api_wants_a_token(client):
    for path in ("/api/v1/periods/1/objectives", "/api/v1/periods/1/debrief",
                 "/api/v1/periods/1/debrief/responses"):
        assert client.get(path).status_code == 401
