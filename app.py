"""The application factory; `app` (created on first access) is what gunicorn serves."""

from __future__ import annotations

import gc
import importlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, Type
from flask_openapi3 import Info, OpenAPI
from sqlalchemy import MetaData

from core import api as api_shell
from core import audit_anchor, web
from core import cli as core_cli
from core import scheduler as core_scheduler
from core.db import Base, Database, close_request_session
from core.identity.models import Role
from core.identity.services import IdentityPolicy
from core.settings import Settings, load_settings

CORE_DIR = Path(__file__).resolve().parent / "core"
MODEL_MODULES = ("core.audit", "core.identity.models", "core.notify", "core.idempotency",
                 "core.scheduler", "deconfliction.models", "operations.models",
                 "outcomes.models", "press.models", "debrief.models",
                 "debrief.annex_models")


def load_models() -> MetaData:
    """Import every model module so that `Base.metadata` knows the whole schema."""
    for module in MODEL_MODULES:
        importlib.import_module(module)

    return Base.metadata


def identity_policy(settings: Settings) -> IdentityPolicy:
    """Authentication knobs from the settings."""
    return IdentityPolicy(
        hasher=PasswordHasher(time_cost=settings.argon2_time_cost,
                              memory_cost=settings.argon2_memory_kib,
                              parallelism=settings.argon2_parallelism, type=Type.ID),
        token_key=settings.secret_key,
        token_issuer=settings.token_issuer,
        token_lifetime=timedelta(seconds=settings.token_lifetime_seconds),
        session_idle=timedelta(seconds=settings.session_idle_seconds),
        session_absolute=timedelta(seconds=settings.session_absolute_seconds),
        lockout_threshold=settings.lockout_threshold,
        lockout_duration=timedelta(seconds=settings.lockout_seconds),
        two_factor=settings.two_factor,
    )


def create_app(settings: Settings | None = None) -> OpenAPI:
    """Build the application; tests inject their own settings."""
    settings = settings or load_settings()
    load_models()
    app = OpenAPI(
        __name__,
        info=Info(title="JPA Coordinator API", version="1.0",
                  description="Register, deconflict and track the operations of a Joint "
                              "Period of Action. Authenticate with POST /api/v1/auth/token "
                              "and send Authorization: Bearer <token>."),
        security_schemes=api_shell.SECURITY_SCHEMES,
        doc_ui=False,
        validation_error_callback=api_shell.validation_error_response,
        static_folder=str(CORE_DIR / "static"),
        template_folder=str(CORE_DIR / "templates"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_NAME="jpa_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.session_absolute_seconds),
        TESTING=settings.testing,
    )
    app.extensions["jpa.settings"] = settings
    app.extensions["jpa.db"] = Database(settings.database_url)
    app.extensions["jpa.identity"] = identity_policy(settings)
    app.teardown_appcontext(close_request_session)

    web.init_app(app)
    api_shell.init_app(app)
    _register_domains(app)
    core_cli.register(app)
    core_scheduler.init_app(app)
    audit_anchor.init_app(app)
    return app


def _register_domains(app: OpenAPI) -> None:
    from core import inbox
    from core.identity import api as identity_api
    from core.identity import twofactor_views
    from core.identity import views as identity_views
    from debrief import api as debrief_api
    from debrief import jobs as debrief_jobs
    from debrief.improvements_views import register as register_improvements
    from debrief.pack_pages import register as register_debrief_packs
    from debrief.views import register as register_debrief
    from operations import api as operations_api
    from operations import cli as operations_cli
    from operations import jobs as operations_jobs
    from operations import views as operations_views
    from operations.demo import register_report_seeder
    from operations.period_page import register as register_period_page_part
    from outcomes import api as outcomes_api
    from outcomes import home_parts as outcomes_home_parts
    from outcomes import jobs as outcomes_jobs
    from outcomes import views as outcomes_views
    from outcomes.demo import seed_demo_reports
    from press import api as press_api
    from press import jobs as press_jobs
    from press.views import register as register_press

    app.register_blueprint(identity_views.bp)
    app.register_blueprint(twofactor_views.bp)
    app.register_blueprint(operations_views.bp)
    app.register_blueprint(outcomes_views.bp)
    app.register_api(identity_api.bp)
    app.register_api(operations_api.bp)
    app.register_api(outcomes_api.bp)
    app.register_api(press_api.bp)
    app.register_api(debrief_api.bp)
    app.register_api(inbox.api)
    app.register_blueprint(inbox.views)
    app.context_processor(lambda: {"unread_notifications": inbox.unread_for_nav()})
    app.add_url_rule("/", "home", operations_views.home)
    web.register_nav(app, "Home", "home", *Role)
    web.register_nav(app, "Periods", "operations.periods", *Role)
    web.register_nav(app, "New period", "operations.new_period", Role.ADMIN)
    web.register_nav(app, "Users", "identity.users", Role.ADMIN)
    web.register_nav(app, "Notifications", "inbox.notifications_page", Role.CO_CHAIR,
                     Role.LIAISON_OFFICER, Role.ANALYST)
    register_period_page_part(app, outcomes_views.period_page_part)
    outcomes_home_parts.register(app)  # today's report in each active period on the home page
    operations_cli.register(app)
    register_report_seeder(app, seed_demo_reports)
    register_press(app)  # after: its demo seeder wraps the reports' one
    register_debrief(app)  # after press: its demo seeder wraps press's
    # The reminder first, as when it was operations' first job: a pass runs jobs in this order.
    outcomes_jobs.register(app)
    operations_jobs.register(app)
    press_jobs.register(app)
    debrief_jobs.register(app)
    # After the objectives' demo seeder, which its own wraps (demo items name objectives).
    register_improvements(app)  # pages, API, its job, and its sections on other pages
    register_debrief_packs(app)  # last: its demo seeder builds the pack after all the others


def main() -> None:
    """The `jpa` command."""
    core_cli.build_cli(create_app)()


_app: OpenAPI | None = None


def __getattr__(name: str) -> Any:
    # `app` is built on first access (gunicorn's `app:app`), never merely by importing.
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
            # What the application holds from now on lives as long as the process: moved out
            # of the collector's generations, the full collections that allocation-heavy
            # requests set off no longer walk it (measured: 12 % of a registration's time).
            gc.collect()
            gc.freeze()
        return _app
    raise AttributeError(name)
