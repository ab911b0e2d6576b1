"""Settings, read from the environment.

Every setting has a default that works on a developer's machine: SQLite in
``instance/``, mail kept in the outbox and shown in the back office. Production
sets at least ``SECRET_KEY``, ``DATABASE_URL``, ``BASE_URL`` and the ``MAIL_*``
variables (see the README's configuration table).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from participation.core.i18n import json_dumps

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for ``postgresql://`` addresses.

    SQLAlchemy maps the bare scheme to psycopg2, which we do not install.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _ints(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return tuple(int(part) for part in value.split(",") if part.strip())


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask configuration from the environment, then ``overrides``."""
    env = os.environ.get("PARTICIPATION_ENV", "development")
    development = env != "production"
    instance = Path(instance_path)
    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if not development:
            raise RuntimeError("SECRET_KEY doit être défini en production.")
        secret_key = _development_secret(instance)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'participation.sqlite'}"
    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    config = {
        "ENV_NAME": env,
        # A demonstration lets staff read the mail the platform "sent": the ``demo``
        # command turns it on (on a loopback address only); production refuses it.
        "DEMO_MODE": _bool("DEMO_MODE", False),
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"json_serializer": json_dumps},
        # A pooled connection idle this long is checked before a request gets it (see _ping_after_idle).
        "DATABASE_PING_AFTER_IDLE_SECONDS": _int("DATABASE_PING_AFTER_IDLE_SECONDS", 1),
        "BASE_URL": base_url,
        # Sessions and cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", not development),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", not development),
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 4,
        # Uploads
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance / "uploads"),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 10) * 1024 * 1024,
        # Mail: the worker delivers the outbox through SMTP, or, with
        # MAIL_DELIVERY=demo, marks it delivered so staff read it in the back office.
        "MAIL_DELIVERY": os.environ.get("MAIL_DELIVERY", "demo" if development else "smtp"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Participation <ne-pas-repondre@participation.localhost>"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        # Flask-Mail would silently drop mail under TESTING; delivery is ours to decide.
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_BATCH_SIZE": _int("OUTBOX_BATCH_SIZE", 50),
        "OUTBOX_SMTP_CONNECTIONS": _int("OUTBOX_SMTP_CONNECTIONS", 1),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 8),
        "OUTBOX_RETRY_BASE_SECONDS": _int("OUTBOX_RETRY_BASE_SECONDS", 30),
        "OUTBOX_POLL_SECONDS": _int("OUTBOX_POLL_SECONDS", 5),
        # Rate limits (Flask-Limiter); memory:// is per process, use Redis with several.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_AUTH": os.environ.get("RATELIMIT_AUTH", "10 per minute;50 per hour"),
        # The public API, per address (the X-RateLimit-* headers say where one stands).
        "RATELIMIT_API": os.environ.get("RATELIMIT_API", "120 per minute;3000 per hour"),
        # Accounts
        "CONFIRMATION_TOKEN_HOURS": _int("CONFIRMATION_TOKEN_HOURS", 48),
        # A registration made without an account keeps its place this long while its address is confirmed.
        "EVENTS_UNCONFIRMED_HOLD_HOURS": _int("EVENTS_UNCONFIRMED_HOLD_HOURS", 2),
        # Answers and accessibility needs given at registration are erased this long after the event.
        "RETENTION_EVENT_ANSWERS_DAYS": _int("RETENTION_EVENT_ANSWERS_DAYS", 30),
        "RESET_TOKEN_MINUTES": _int("RESET_TOKEN_MINUTES", 60),
        "PASSWORD_MIN_LENGTH": _int("PASSWORD_MIN_LENGTH", 10),
        # Retention periods shown in the processing register and applied by jobs.
        "RETENTION_UNCONFIRMED_ACCOUNT_DAYS": _int("RETENTION_UNCONFIRMED_ACCOUNT_DAYS", 30),
        "RETENTION_SENT_MAIL_DAYS": _int("RETENTION_SENT_MAIL_DAYS", 90),
        "RETENTION_NOTIFICATION_DAYS": _int("RETENTION_NOTIFICATION_DAYS", 365),
        # Forums (concertations)
        "FORUMS_REPORT_THRESHOLD": _int("FORUMS_REPORT_THRESHOLD", 3),
        "FORUMS_EDIT_MINUTES": _int("FORUMS_EDIT_MINUTES", 15),
        "FORUMS_MIN_FILL_SECONDS": _int("FORUMS_MIN_FILL_SECONDS", 3),
        "FORUMS_NEW_ACCOUNT_DAYS": _int("FORUMS_NEW_ACCOUNT_DAYS", 7),
        "FORUMS_NEW_ACCOUNT_MAX_LINKS": _int("FORUMS_NEW_ACCOUNT_MAX_LINKS", 1),
        "FORUMS_ATTACHMENT_MAX_MB": _int("FORUMS_ATTACHMENT_MAX_MB", 10),
        "DIGEST_BATCH_SIZE": _int("DIGEST_BATCH_SIZE", 200),
        "NEWSLETTER_BATCH_SIZE": _int("NEWSLETTER_BATCH_SIZE", 500),
        "DIGEST_BUDGET_SECONDS": _int("DIGEST_BUDGET_SECONDS", 20),
        "UNSUBSCRIBE_LINK_DAYS": _int("UNSUBSCRIBE_LINK_DAYS", 365),
        "RATELIMIT_CONTRIBUTIONS": os.environ.get("RATELIMIT_CONTRIBUTIONS", "5 per minute;40 per day"),
        # Internationalisation
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ["fr", "en"],
        # Proxies in front of the app (load balancer, TLS terminator) whose
        # X-Forwarded-* headers are trusted: rate limits need the real address.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Grants to associations: the numbers of the law (DOMAIN.md), as defaults.
        # Above this yearly total for one association (cash and in-kind), a convention is required (loi 2000-321 art. 10).
        "GRANTS_CONVENTION_THRESHOLD_EUROS": _int("GRANTS_CONVENTION_THRESHOLD_EUROS", 23_000),
        # Above this amount, or this share of the association's budget, a certified balance sheet is required (L2313-1).
        "GRANTS_CERTIFIED_BALANCE_THRESHOLD_EUROS": _int("GRANTS_CERTIFIED_BALANCE_THRESHOLD_EUROS", 75_000),
        "GRANTS_CERTIFIED_BALANCE_SHARE_PERCENT": _int("GRANTS_CERTIFIED_BALANCE_SHARE_PERCENT", 50),
        # The financial report (CERFA 15059*02) is due this many months after the end of the financial year.
        "GRANTS_REPORT_DELAY_MONTHS": _int("GRANTS_REPORT_DELAY_MONTHS", 6),
        # Reminders before the report is due, in days; a last one when it is late.
        "GRANTS_REPORT_REMINDER_DAYS": _ints("GRANTS_REPORT_REMINDER_DAYS", (30, 7)),
        "GRANTS_DOCUMENT_MAX_AGE_DAYS": _int("GRANTS_DOCUMENT_MAX_AGE_DAYS", 365),
        "GRANTS_UPLOAD_MAX_MB": _int("GRANTS_UPLOAD_MAX_MB", 5),
        "GRANTS_INVITATION_DAYS": _int("GRANTS_INVITATION_DAYS", 14),
        # Open data is published within this many months of the convention (décret 2017-779).
        "GRANTS_OPENDATA_DELAY_MONTHS": _int("GRANTS_OPENDATA_DELAY_MONTHS", 3),
        # Referrals: the opinion is due this many months after the referral is received;
        # the authority's answer is overdue this many months after the opinion is transmitted.
        "REFERRALS_DUE_MONTHS": _int("REFERRALS_DUE_MONTHS", 3),
        "REFERRALS_ANSWER_MONTHS": _int("REFERRALS_ANSWER_MONTHS", 3),
        # Pagination
        "PAGE_SIZE": _int("PAGE_SIZE", 20),
        # Page cache: anonymous public pages kept until a domain event changes them
        # (core/pagecache/); in Redis too, shared by every worker, when its URL is set.
        "PAGE_CACHE": _bool("PAGE_CACHE", True),
        "PAGE_CACHE_REDIS_URL": os.environ.get("PAGE_CACHE_REDIS_URL") or os.environ.get("CACHE_REDIS_URL") or None,
        "PAGE_CACHE_REDIS_PREFIX": os.environ.get("PAGE_CACHE_REDIS_PREFIX", "participation:"),
        "PAGE_CACHE_SECONDS": _int("PAGE_CACHE_SECONDS", 60),
        "PAGE_CACHE_SIZE": _int("PAGE_CACHE_SIZE", 1000),
        # The worker's job intervals can be shortened in tests.
        "SCHEDULER_ENABLED": _bool("SCHEDULER_ENABLED", True),
    }
    if overrides:
        config.update(overrides)
        if overrides.get("TESTING") and "PAGE_CACHE" not in overrides:
            # Tests share one process: a page cached by one would answer another.
            config["PAGE_CACHE"] = False
        if "SQLALCHEMY_DATABASE_URI" in overrides:
            config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(overrides["SQLALCHEMY_DATABASE_URI"])
    if config["ENV_NAME"] == "production" and config["DEMO_MODE"]:
        raise RuntimeError(PRODUCTION_REFUSES_DEMO)
    return config


PRODUCTION_REFUSES_DEMO = (
    "Le mode démonstration (DEMO_MODE) est refusé en production (PARTICIPATION_ENV=production) : "
    "il laisse le personnel lire les courriels, liens de connexion compris. Retirez DEMO_MODE de l'environnement."
)


def _development_secret(instance: Path) -> str:
    """A random key kept in ``instance/`` so that sessions survive a restart."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
