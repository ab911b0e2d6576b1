"""Serialising writers that must not overlap: claiming outbox rows, taking a place.

PostgreSQL locks rows (``SELECT … FOR UPDATE``). SQLite has no row locks and
lets a transaction that has read fail when it later wants to write while
another connection writes; so every SQLite transaction asks for the write
lock at its very start (``BEGIN IMMEDIATE``, see ``_configure_engine`` in
``participation/__init__.py``), and waits its turn instead of failing.
"""

from __future__ import annotations

import sqlalchemy as sa


def begin_writing() -> None:
    """Open the session's transaction as a writer, before it reads anything.

    On SQLite this takes the database's write lock at once (``BEGIN
    IMMEDIATE``, as every SQLite transaction now does); on PostgreSQL it does
    nothing (use ``lock_row``). Call it first, while the session has no
    transaction yet; later it does nothing.
    """
    from participation.extensions import db

    bind = db.session.get_bind()
    if isinstance(bind, sa.Engine) and bind.dialect.name == "sqlite" and not db.session().in_transaction():
        db.session.connection(execution_options={"claim_rows": True})


def lock_row(model, ident) -> None:
    """Hold the row ``model`` ``ident`` until the transaction ends (PostgreSQL ``FOR UPDATE``).

    Two transactions that lock the same row run one after the other. On
    SQLite the whole database is the lock: ``begin_writing()`` took it.
    """
    from participation.extensions import db

    if db.session.get_bind().dialect.name == "sqlite":
        return
    db.session.execute(sa.select(model.id).where(model.id == ident).with_for_update())
