"""The JSON API shell: bearer authentication, body checks, validation errors, OpenAPI."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request
from flask_openapi3 import APIBlueprint, Tag
from flask_openapi3.utils import get_operation_id_for_path
from pydantic import ValidationError
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from core import audit, idempotency
from core.db import get_database, transaction, utcnow
from core.errors import Unauthenticated
from core.identity.services import Principal, authenticate_token
from core.input_checks import MAX_JSON_DEPTH, control_character_fields, inspect_json
from core.refusal_rate import REFUSALS_PER_WINDOW, refusal_budget
from core.web import error_response

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
BEARER = [{"bearerAuth": []}]
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
}
PUBLIC_ENDPOINTS: set[str] = set()
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def public(endpoint: str) -> None:
    """Mark an API endpoint (by its Flask endpoint name) as needing no token."""
    PUBLIC_ENDPOINTS.add(endpoint)


def field_path(location: tuple[Any, ...]) -> str:
    """A pydantic error location as a field path: ("targets", 2, "value") -> targets[2].value."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def validation_error_response(error: ValidationError) -> Response:
    """422 naming each bad field; the submitted values are never echoed back."""
    fields: dict[str, str] = {}
    for item in error.errors(include_input=False, include_url=False):
        location = tuple(p for p in item["loc"] if p not in ("body",))
        fields.setdefault(field_path(location), item["msg"])
    message = "; ".join(f"{name}: {text}" for name, text in fields.items())
    return error_response(422, "validation_failed", message, fields)


def current_api_principal() -> Principal:
    """The bearer-authenticated caller (set before the view runs)."""
    principal = g.get("principal")
    if principal is None:  # pragma: no cover - the before_request hook guarantees it
        raise Unauthenticated("Authentication required.")
    return principal


def _refuse_token(reason: str) -> Response:
    """401 "Invalid token." for every reason: the reason itself is for the log and the audit
    row, never the caller (it would tell a revoked token from a forged one)."""
    source = (request.remote_addr or "unknown")[:64]
    log.warning("token refused (request %s, source %s): %s", g.get("request_id"), source, reason)
    try:
        with get_database().transaction() as session:
            budget = refusal_budget(session, source, utcnow())
            details = {"reason": reason[:200], "path": request.path[:200], "source": source}
            if budget == "summarise":
                details["suppressed"] = (f"more than {REFUSALS_PER_WINDOW} refused tokens from "
                                         "this source this minute: the rest of the minute's "
                                         "go to the log only")
            if budget != "skip":
                audit.record(session, action="token.refused",
                             outcome="refused" if budget == "record" else "suppressed",
                             object_type="source", object_id=source, details=details)
    except Exception:
        log.exception("could not audit a refused token")
    response = error_response(401, "unauthenticated", "Invalid token.")
    response.headers["WWW-Authenticate"] = 'Bearer realm="jpa", error="invalid_token"'
    return response


def _too_large(limit: int) -> Response:
    return error_response(413, "payload_too_large", f"The body is larger than {limit} bytes.")


def _check_body() -> Response | None:
    """415 for a body that is not JSON, 413 for an oversized one, 400 for malformed or too
    deeply nested JSON, 422 naming each string that holds a control character."""
    if request.method not in _BODY_METHODS:
        return None
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        return _too_large(limit)
    has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding")
    if not has_body:
        return None
    if request.mimetype != "application/json":
        return error_response(415, "unsupported_media_type",
                              "Send the body as JSON (Content-Type: application/json).")
    if request.content_length is None:
        # A chunked body: werkzeug stops reading it at the limit without saying so, and the
        # cut JSON would pass for malformed. Reaching the limit means there was more.
        try:
            if len(request.get_data(cache=True)) >= limit:
                return _too_large(limit)
        except RequestEntityTooLarge:
            return _too_large(limit)
    try:
        body = request.get_json()
    except BadRequest:
        return error_response(400, "malformed_json", "The body is not valid JSON.")
    except RecursionError:  # the parser recurses once per level: thousands of `[` end here
        return _nested_too_deeply()
    problems = inspect_json(body)
    if problems.too_deep:
        return _nested_too_deeply()
    if problems.control:
        return _control_characters({field_path(location): message
                                    for location, message in problems.control.items()})
    return None


def _nested_too_deeply() -> Response:
    message = f"nested too deeply (at most {MAX_JSON_DEPTH} levels of arrays and objects)"
    return error_response(400, "nested_too_deeply", f"The body is {message}.",
                          {"body": message})


def _control_characters(fields: dict[str, str]) -> Response:
    message = "; ".join(f"{name}: {text}" for name, text in fields.items())
    return error_response(422, "validation_failed", message, fields)


def _check_query() -> Response | None:
    """422 naming each query-string parameter that holds a control character."""
    fields = control_character_fields(request.args.items(multi=True))
    return _control_characters(fields) if fields else None


def _authenticate() -> Response | None:
    """Bearer tokens only: a session cookie alone is not accepted on the API."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        response = error_response(401, "unauthenticated",
                                  "Send an API token: Authorization: Bearer <token>.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="jpa"'
        return response
    policy = current_app.extensions["jpa.identity"]
    try:
        # One read, outside any transaction: the account and the revocation list in one
        # statement, which sees what was committed before it.
        with get_database().single_reads() as connection:
            g.principal = authenticate_token(connection, policy=policy, token=token.strip())
    except Unauthenticated as refusal:
        return _refuse_token(refusal.message)
    return None


def _api_before_request() -> Response | None:
    if not request.path.startswith(API_PREFIX + "/") and request.path != API_PREFIX:
        return None
    return _check_body() or _check_query() or _authenticate()


def make_api_blueprint(name: str, import_name: str, *, tag: str,
                       operation_ids_of: str | None = None) -> APIBlueprint:
    """A blueprint under /api/v1 whose routes require a bearer token unless marked public.

    `operation_ids_of`: the blueprint name the OpenAPI operationIds are made from (default
    `name`), so that routes moved to another blueprint keep the operationIds clients know."""
    id_name = operation_ids_of or name

    def operation_id(*, bp_name: str = "", name: str = "", path: str = "",
                     method: str = "") -> str:
        return get_operation_id_for_path(bp_name=id_name, name=name, path=path, method=method)

    return APIBlueprint(name, import_name, url_prefix=API_PREFIX, abp_tags=[Tag(name=tag)],
                        abp_security=BEARER, operation_id_callback=operation_id)


def _mark_public_operations(app: Flask, document: dict[str, Any]) -> dict[str, Any]:
    """Document public endpoints with `security: []`: flask-openapi3 adds the blueprint's
    bearer requirement to every route, even one declared with `security=[]`."""
    paths = document.get("paths", {})
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC_ENDPOINTS:
            continue
        path = re.sub(r"<([^<:]+:)?", "{", rule.rule).replace(">", "}")
        for method, operation in paths.get(path, {}).items():
            if method.upper() in (rule.methods or ()) and isinstance(operation, dict):
                operation["security"] = []
    return document


def init_app(app: Flask) -> None:
    """Install the API's authentication hook and the OpenAPI document route."""
    app.before_request(_api_before_request)

    def openapi_document() -> Response:
        return jsonify(_mark_public_operations(app, app.api_doc))  # type: ignore[attr-defined]

    app.add_url_rule(f"{API_PREFIX}/openapi.json", "openapi_document", openapi_document)
    public("openapi_document")


def json_response(payload: Any, status: int = 200) -> tuple[Response, int]:
    """A JSON body with a status (views return this)."""
    return jsonify(payload), status


def idempotent(endpoint: str, handler: Callable[[Session], tuple[dict[str, Any], int]],
               ) -> tuple[Response, int]:
    """Run a write once per Idempotency-Key: the same key and body again replays the first
    response and stores nothing; the same key with another body is a 422. `endpoint` names
    what is asked (e.g. "submit:12"); `handler` writes in the one transaction and returns the
    body and status."""
    actor = current_api_principal()
    raw_key = request.headers.get("Idempotency-Key")
    key = idempotency.check_key(raw_key) if raw_key is not None else None
    payload = request.get_json(silent=True)
    secret = idempotency.secret_for(current_app.extensions["jpa.settings"].secret_key)
    with transaction() as session:
        if key:
            replay = idempotency.find_replay(session, user_id=actor.id, key=key,
                                             endpoint=endpoint, payload=payload, secret=secret)
            if replay is not None:
                return json_response(replay.body, replay.status)
        body, status = handler(session)
        if key:
            idempotency.remember(session, user_id=actor.id, key=key, endpoint=endpoint,
                                 payload=payload, status=status, body=body, secret=secret)
    return json_response(body, status)
