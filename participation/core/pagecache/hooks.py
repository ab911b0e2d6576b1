"""Where the page cache joins the application (its request hooks) and SQLAlchemy's sessions (their listeners,
installed once, at import), and ``clear()``."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from participation.core.pagecache.generations import _DIRTY, _JOURNAL, _bump, local_pages
from participation.core.pagecache.people import _PEOPLE, _PEOPLE_ALL, _after_flush, _on_bulk_statement
from participation.core.pagecache.serving import _serve, _store
from participation.core.pagecache.shared import _personal_pages


# The session's commit bumps what its transaction marked (``mark_changed``, ``person_changed``, the flush's people).
def _after_commit(db_session) -> None:
    if db_session.in_nested_transaction():
        return  # a savepoint: only the outer commit is durable
    journal, tags = db_session.info.pop(_JOURNAL, False), db_session.info.pop(_DIRTY, ())
    people, everyone = db_session.info.pop(_PEOPLE, ()), db_session.info.pop(_PEOPLE_ALL, False)
    if tags or journal or people or everyone:
        _bump(tags, journal=journal, people=people, everyone=everyone)  # one Redis round trip for all


def _after_soft_rollback(db_session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for name in (_DIRTY, _PEOPLE, _PEOPLE_ALL, _JOURNAL):
            db_session.info.pop(name, None)


def clear() -> None:
    """Forget every page and card, and which views used the person (tests; a deployment restarts anyway)."""
    from participation.core import holes

    local_pages.clear()
    _personal_pages.clear()
    holes.forget_subjects()


def init_app(app: Flask) -> None:
    # Serve before any other hook (it may open the database), but after the rate
    # limiter's check (a served page counts like any other; that check opens no
    # database); store after every other hook (the transaction is committed, the
    # security headers are set).
    before = app.before_request_funcs.setdefault(None, [])
    limiters = app.extensions.get("limiter", ())
    checks = [hook for hook in before if getattr(hook, "__self__", None) in limiters]
    for hook in checks:
        before.remove(hook)
    before[0:0] = [*checks, _serve]
    app.after_request_funcs.setdefault(None, []).insert(0, _store)


def _install_session_events() -> None:
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "do_orm_execute", _on_bulk_statement)


_install_session_events()
