"""participation: a citizen participation platform for French local authorities."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask, g, has_request_context, request, session, url_for

from participation.config import PROJECT_ROOT, load_config
from participation.core.i18n import compile_catalogues
from flask_babel import gettext as _

# The domain packages, in the order their blueprints, policies, subscribers
# and jobs are loaded. A domain that is not written yet is not listed.
DOMAINS = ["territory", "accounts", "notifications", "pages", "staff", "councils", "forums", "grants", "agenda", "events", "referrals", "plans", "surveys", "news", "processes", "opendata", "api"]
# Modules a domain may provide; each is imported if present.
DOMAIN_MODULES = ["models", "policies", "subscribers", "jobs", "cli", "agenda", "queues", "journal", "processes", "indicators", "exports", "home", "opendata", "api"]


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str((overrides or {}).get("INSTANCE_PATH") or PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(load_config(app.instance_path, overrides))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(
        compile_catalogues(PROJECT_ROOT / "translations", Path(app.instance_path) / "translations")
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Every job run and every migration plugin is too much for a console.
    for noisy in ("apscheduler", "alembic.runtime.plugins", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from participation.core import web

    web.configure_input(app)
    _init_extensions(app)
    _load_domains(app)

    web.init_app(app)
    from participation.core import pagecache

    pagecache.init_app(app)
    from participation.core import holes

    holes.init_app(app)
    _init_templates(app)
    return app


def _init_extensions(app: Flask) -> None:
    from participation.extensions import babel, csrf, db, limiter, login, mail, migrate

    db.init_app(app)
    with app.app_context():
        _configure_engine(db.engine)
        _ping_after_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])

    login.init_app(app)
    login.login_view = "accounts.login"
    login.login_message = _("Connectez-vous pour accéder à cette page.")
    login.login_message_category = "info"
    login.session_protection = "basic"

    from participation.accounts.views import load_user

    login.user_loader(load_user)


def _ping_after_idle(engine, idle_seconds: float) -> None:
    """Check a pooled connection before lending it, if it waited ``idle_seconds`` or more since it was last returned.

    A connection the server closed while it waited (a restart, an idle timeout) is then replaced before a request
    uses it, as SQLAlchemy's ``pool_pre_ping`` does. A connection returned moments ago is lent without the round trip
    that ``pool_pre_ping`` spends on every checkout: under load, the same few connections go from request to request
    (a server that dies meanwhile fails the requests in flight, pinged or not).
    """
    import time

    import sqlalchemy as sa

    @sa.event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record):
        record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _lent(dbapi_connection, record, proxy):
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < idle_seconds:
            return  # just opened, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                # The pool throws it away and lends a new one.
                raise sa.exc.DisconnectionError() from error
            raise


def _configure_engine(engine) -> None:
    """SQLite: enforce foreign keys, and let SQLAlchemy manage transactions
    (pysqlite's own handling breaks savepoints and SELECT … FOR UPDATE semantics).

    SQLite has one writer at a time. A transaction that reads first and writes
    later (a log-in reads the account, then records ``user.logged_in``) cannot
    take the write lock once another connection has written: SQLite answers
    « database is locked » at once, whatever the busy timeout. So every
    transaction, of a request or of a job, asks for the write lock when it
    starts (``BEGIN IMMEDIATE``) and waits its turn (``busy_timeout``); the WAL
    journal lets readers outside a transaction of the app (backups, exports,
    the ``sqlite3`` shell) read while the app writes. A read-only transaction
    holds the lock for the few milliseconds of its page: the price of never
    failing, at the scale SQLite serves. PostgreSQL is left as it is.
    """
    if engine.dialect.name != "sqlite":
        return
    import sqlalchemy as sa

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # A writer waits its turn rather than fail: SQLite's lock is not fair,
        # so under a burst a writer may wait for many others.
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # WAL is kept in the database file; an in-memory database answers "memory".
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode, NORMAL loses no committed transaction on an application crash.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # reads only, each statement on its own (a shared page's parts): no lock to take
        # Every transaction takes the write lock at its start: none fails half-way.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# How long a SQLite transaction waits for the write lock before it fails.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _select_locale() -> str:
    from flask import current_app
    from flask_login import current_user

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # The worker and services called outside a request (jobs, mail) speak the default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    person = g.get("page_cache_person")
    if person is not None and person["locale"] in languages:
        return person["locale"]  # the signed-in person's card: their account is not loaded for a shared page
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _load_domains(app: Flask) -> None:
    """Import each domain's modules and register its blueprint and CLI."""
    for core_module in ("outbox", "uploads", "documents"):
        importlib.import_module(f"participation.core.{core_module}")
    for domain in DOMAINS:
        for module_name in DOMAIN_MODULES:
            try:
                module = importlib.import_module(f"participation.{domain}.{module_name}")
            except ModuleNotFoundError as error:
                if error.name != f"participation.{domain}.{module_name}":
                    raise
                continue
            if module_name == "cli" and hasattr(module, "register"):
                module.register(app)
        try:
            views = importlib.import_module(f"participation.{domain}.views")
        except ModuleNotFoundError as error:
            if error.name != f"participation.{domain}.views":
                raise
            continue
        for name in ("bp", *getattr(views, "EXTRA_BLUEPRINTS", ())):
            app.register_blueprint(getattr(views, name))

    from participation import cli
    from participation.pages.views import register_placeholders

    cli.register(app)
    register_placeholders(app)


def _init_templates(app: Flask) -> None:

    from participation.core import dates, french
    from participation.core.i18n import stored_label
    from participation.core.permissions import can
    from participation.core.text import render_markdown
    from participation.pages.navigation import main_sections

    app.jinja_env.filters.update(
        moment=dates.format_moment,
        day=dates.format_day,
        time=dates.format_time,
        short=dates.format_short,
        iso=dates.iso,
        markdown=render_markdown,
        de=french.de,
        a=french.a,
        with_article=french.with_article,
        quoted=french.quoted,
        stored_label=stored_label,
    )
    from flask_babel import get_locale

    app.jinja_env.globals.update(can=can, main_sections=main_sections, get_locale=get_locale)

    @app.context_processor
    def _layout_context():
        from flask_login import current_user

        from participation.core.holes import rendering_part
        from participation.layout import header_person
        from participation.territory.services import current_territory

        if rendering_part():
            return {}
        # Mail rendered by the worker has no request and no current user.
        person = header_person(current_user) if has_request_context() else None
        layout = {"territory": current_territory(), "person": person, "demo_guide": None, "my_space_url": None}
        if person is not None and "councils_member.my_space" in app.view_functions:
            layout["my_space_url"] = url_for("councils_member.my_space")
        if app.config["DEMO_MODE"] and has_request_context():
            from participation.demo import DEMO_GUIDE, DEMO_PASSWORD

            layout.update(demo_guide=DEMO_GUIDE, demo_password=DEMO_PASSWORD)
        return layout

    @app.before_request
    def _request_start():
        g.rollback_only = False
