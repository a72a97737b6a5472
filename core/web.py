"""The web shell: request ids, security headers, CSRF, login, navigation, errors, base pages."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Request,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import IntegerConverter, Map

from core import audit
from core.db import get_database, transaction
from core.errors import DomainError, Forbidden, NotFound
from core.identity.models import Role
from core.identity.services import (
    Principal,
    check_login_session,
    expire_login_session,
    touch_login_session,
)
from core.input_checks import control_character_fields

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

# Set on every response. One prebuilt list, added in one Headers.extend: setting them one by
# one (a lookup, a removal and a validation each) was a visible part of a cheap request.
SECURITY_HEADERS: Final = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_SECURITY_NAMES: Final = frozenset(name.lower() for name, _ in (
    *SECURITY_HEADERS, ("Strict-Transport-Security", ""), ("Content-Security-Policy", ""),
    ("Pragma", ""), ("X-Request-ID", "")))
_NO_STORE: Final = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))

# Ids are 32-bit INTEGER columns (PostgreSQL): a larger number in a URL is no id at all.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` capped at MAX_ID, so an absurd id is a 404 instead of a database error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


csrf = CSRFProtect()
login_manager = LoginManager()


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation bar, shown to some roles."""

    label: str
    endpoint: str
    roles: frozenset[Role]


def register_nav(app: Flask, label: str, endpoint: str, *roles: Role) -> None:
    """Let a domain package add a link to the navigation for the given roles."""
    app.extensions.setdefault("jpa.nav", []).append(NavItem(label, endpoint, frozenset(roles)))


def is_api_request() -> bool:
    """Whether the current request addresses the JSON API."""
    return request.path.startswith("/api/")


def current_principal() -> Principal | None:
    """The authenticated caller of this request (bearer token or login session), if any."""
    principal = g.get("principal")
    if principal is not None:
        return principal
    if is_api_request():
        return None
    user = current_user
    return user if isinstance(user, Principal) else None


def role_required(*roles: Role) -> Callable[[F], F]:
    """Page decorator: log in first, then only the given roles (others get 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                return login_manager.unauthorized()
            if roles and principal.role not in roles:
                raise Forbidden("Your role may not use this page.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def format_time(value: datetime | str | None, fmt: str = "%d %b %Y %H:%M %Z") -> str:
    """A UTC time (or its ISO 8601 text, as views of conflicts carry it) shown in the
    viewer's own zone, to the minute (UTC for anonymous visitors)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    principal = current_principal()
    zone = ZoneInfo(principal.time_zone if principal else "UTC")
    return value.astimezone(zone).strftime(fmt)


def _load_principal(raw_token: str) -> Principal | None:
    """flask-login's loader: resolve the cookie's session token on the server."""
    database = get_database()
    policy = current_app.extensions["jpa.identity"]
    with transaction(write=False) as session:
        check = check_login_session(session, policy=policy, raw_token=raw_token)
    if check.expired_reason:
        with database.transaction() as session:
            expire_login_session(session, raw_token=raw_token, reason=check.expired_reason)
        g.session_expired = True
    elif check.needs_touch:
        with database.transaction() as session:
            touch_login_session(session, raw_token=raw_token)
    return check.principal


def _unauthorized() -> Response:
    """Send a visitor to the login page, saying why when their session just ended."""
    if g.get("session_expired"):
        flash("Your session ended (30 minutes without activity, or 12 hours in all). "
              "Please log in again.", "info")
    else:
        flash(login_manager.login_message, "info")
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("identity.login", next=target))


def _error_payload(status: int, code: str, message: str,
                   fields: dict[str, str] | None = None,
                   extra: dict[str, object] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {**(extra or {}), "code": code, "message": message,
                            "fields": fields or {}}
    if status >= 500:
        body["request_id"] = g.get("request_id")
    return {"error": body}


def error_response(status: int, code: str, message: str,
                   fields: dict[str, str] | None = None,
                   extra: dict[str, object] | None = None) -> Response:
    """The one error envelope: JSON under /api/, an HTML page elsewhere."""
    if is_api_request() or request.accept_mimetypes.best == "application/json":
        response = jsonify(_error_payload(status, code, message, fields, extra))
    else:
        response = Response(
            render_template("core/error.html", status=status, code=code, message=message,
                            fields=fields or {}, request_id=g.get("request_id")),
            mimetype="text/html",
        )
    response.status_code = status
    return response


def _audit_refusal(error: Forbidden) -> None:
    """Record a refused permission in its own transaction (the request's was rolled back)."""
    principal = current_principal()
    try:
        with get_database().transaction() as session:
            audit.record(session, action="permission.refused", outcome="refused", actor=principal,
                         object_type="endpoint", object_id=request.endpoint or request.path,
                         details={"method": request.method, "path": request.path[:200]})
    except Exception:
        log.exception("could not audit a refused permission")


def _audit_read_refusal(error: NotFound) -> None:
    """Record a 404 for an id the caller may not see or that does not exist (a probe, told
    apart from a plain typo only by its pattern) in its own transaction."""
    ids = [value for value in (request.view_args or {}).values() if isinstance(value, int)]
    try:
        with get_database().transaction() as session:
            audit.record(session, action="read.refused", outcome="refused",
                         actor=current_principal(), object_type=error.what[:64],
                         object_id=ids[-1] if ids else None,
                         details={"method": request.method, "path": request.path[:200],
                                  "endpoint": request.endpoint or ""})
    except Exception:
        log.exception("could not audit a refused read")


def _handle_domain_error(error: DomainError) -> Response:
    if isinstance(error, Forbidden):
        _audit_refusal(error)
    elif isinstance(error, NotFound):
        _audit_read_refusal(error)
    response = error_response(error.status, error.code, error.message, error.fields,
                              error.extra)
    if error.status == 401 and is_api_request():
        response.headers["WWW-Authenticate"] = 'Bearer realm="jpa"'
    return response


def _handle_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    message = error.description or error.name
    if isinstance(error, CSRFError):
        code = "csrf_failed"
        message = ("The form could not be verified (its security token is missing or expired). "
                   "Reload the page and try again.")
    response = error_response(status, code, message)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def _handle_unexpected(error: Exception) -> Response:
    log.exception("unexpected error (request %s)", g.get("request_id"), exc_info=error)
    return error_response(500, "internal_error",
                          "Something went wrong on our side. Quote the request id if you "
                          "report it.")


def new_request_id() -> str:
    """A fresh request id (X-Request-ID, audit rows, error pages)."""
    return uuid.uuid4().hex


def _before_request() -> Response | None:
    g.request_id = new_request_id()
    audit.current_request_id.set(g.request_id)
    if not is_api_request():
        csrf.protect()
        return _refuse_control_characters()
    return None


def _refuse_control_characters() -> Response | None:
    """One rule for every form field and query-string value of the pages: a control
    character (NUL above all, which PostgreSQL refuses) is a 422 naming the field."""
    pairs = list(request.args.items(multi=True))
    if request.method in ("POST", "PUT", "PATCH"):
        pairs += request.form.items(multi=True)
    fields = control_character_fields(pairs, anonymous="form")
    if not fields:
        return None
    names = ", ".join(fields)
    return error_response(422, "validation_failed",
                          f"Control characters (such as NUL) are not accepted: {names}. "
                          "Nothing was saved.", fields)


def security_headers(*, secure: bool, request_id: str | None, own_csp: bool = False,
                     no_store: bool = False) -> list[tuple[str, str]]:
    """The headers the shell adds to a response, in the order it adds them (one function, so
    that a response answered before Flask's dispatch carries exactly the same ones)."""
    added: list[tuple[str, str]] = [] if own_csp else [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY)]
    added += SECURITY_HEADERS
    # Only when served over https: over plain http it would lock browsers out for a year.
    if secure:
        added.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
    if no_store:
        added += _NO_STORE
    if request_id:
        added.append(("X-Request-ID", request_id))
    return added


def _after_request(response: Response) -> Response:
    headers = response.headers
    # A response that declares itself public (the published press pages) keeps its own
    # Cache-Control; everything else is private data and must never be stored. (Parsing
    # Cache-Control only when there is one: most responses have none.)
    cache_control = headers.get("Cache-Control")
    no_store = request.endpoint != "static" and not request.path.startswith("/static/") \
        and (not cache_control or not response.cache_control.public)
    if no_store and cache_control:
        headers.remove("Cache-Control")
    added = security_headers(secure=current_app.extensions["jpa.settings"].secure_cookies,
                             request_id=g.get("request_id"),
                             own_csp="Content-Security-Policy" in headers, no_store=no_store)
    if any(name.lower() in _SECURITY_NAMES for name in headers.keys()
           if name != "Content-Security-Policy"):
        for name, value in added:  # a view set one of them: ours replace, as always
            headers[name] = value
    else:
        headers.extend(added)
    return response


def _template_context() -> dict[str, Any]:
    principal = current_principal()
    items = [item for item in current_app.extensions.get("jpa.nav", [])
             if principal is not None and principal.role in item.roles]
    return {"principal": principal, "nav_items": items, "Role": Role}


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per secret key instead
    of on every request, and none at all for a request without a session cookie."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The parent's serializer, kept per (secret key, fallbacks): rotating the key (or
        adding a fallback) gives a new one, as before."""
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(key)
        if found is None:
            found = super().get_signing_serializer(app)
            assert found is not None
            if len(self._serializers) > 8:  # keys only change on rotation: stay small
                self._serializers.clear()
            self._serializers[key] = found
        return found

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session when there is no cookie (what the parent returns then, unsigned
        work skipped); otherwise the parent's verified one. Saving still signs."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Wire the web shell into the application."""
    app.session_interface = CookieSessionInterface()
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _before_request, outside /api/
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "identity.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are revocable on the server instead
    login_manager.user_loader(_load_principal)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_before_request)
    app.after_request(_after_request)
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected)
    app.context_processor(_template_context)
    app.add_template_filter(format_time, "localtime")
    app.add_url_rule("/healthz", "healthz", lambda: jsonify(status="ok"))
