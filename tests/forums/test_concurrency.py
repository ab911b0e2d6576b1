"""Two requests reacting at once for the same person never make two reactions."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.extensions import db
from participation.forums import services
from participation.forums.models import Contribution, Reaction, ReactionKind
from tests import factories


@pytest.mark.committing
def test_a_double_click_on_a_reaction_never_makes_two_rows(app):
    consultation = factories.consultation()
    author = factories.participant(consultation)
    reader = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    contribution_id = db.session.scalar(sa.select(Contribution.id).where(Contribution.topic_id == topic.id))
    reader_id = reader.id
    db.session.commit()
    db.session.remove()

    start = threading.Barrier(2)
    errors: list[BaseException] = []
    # SQLite: a transaction takes the write lock when it starts, so the two
    # clicks start together and then run one after the other.
    sqlite = db.engine.dialect.name == "sqlite"

    def click():
        with app.app_context():
            try:
                if sqlite:
                    start.wait(timeout=10)
                contribution = db.session.get(Contribution, contribution_id)
                person = db.session.get(User, reader_id)
                if not sqlite:
                    start.wait(timeout=10)
                services.react(contribution, ReactionKind.support, actor=person)
                db.session.commit()
            except BaseException as error:  # reported below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    rows = db.session.scalar(sa.select(sa.func.count(Reaction.id)).where(Reaction.contribution_id == contribution_id))
    contribution = db.session.get(Contribution, contribution_id)
    assert rows <= 1
    # The count shown always matches the rows.
    assert contribution.support_count == rows
    # Neither click fails.
    assert not errors, errors
    # Whether the second click finds the first one's reaction (and withdraws it,
    # as two clicks in a row do) or collides with its insert depends on timing;
    # the collision itself is tested step by step below.


@pytest.mark.committing
def test_a_click_whose_insert_collides_with_another_becomes_that_reaction(app):
    """PostgreSQL: the other request's row is inserted but not yet committed, so this
    click sees no reaction, and its insert waits on the unique index; once the other
    commits, the insert fails and the click turns into a change of that row."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: inserts cannot collide")
    consultation = factories.consultation()
    author = factories.participant(consultation)
    reader = factories.participant(consultation)
    topic = factories.topic(consultation, author)
    contribution_id = db.session.scalar(sa.select(Contribution.id).where(Contribution.topic_id == topic.id))
    reader_id = reader.id
    db.session.commit()
    db.session.remove()

    other = db.engine.connect()
    other_transaction = other.begin()
    other.execute(sa.insert(Reaction).values(contribution_id=contribution_id, user_id=reader_id, kind=ReactionKind.agree))
    errors: list[BaseException] = []
    held: list = []

    def click():
        with app.app_context():
            try:
                contribution = db.session.get(Contribution, contribution_id)
                held.append(services.react(contribution, ReactionKind.support, actor=db.session.get(User, reader_id)))
                db.session.commit()
            except BaseException as error:  # reported below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=click)
    thread.start()
    try:
        waiting = False
        for _ in range(200):
            with db.engine.connect() as watcher:
                waiting = watcher.scalar(sa.text(
                    "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()"
                )) > 0
            if waiting or not thread.is_alive():
                break
            time.sleep(0.05)
        assert waiting, "the click's insert should wait for the other transaction"
    finally:
        other_transaction.commit()
        other.close()
    thread.join(timeout=30)

    assert not errors, errors
    assert held == [ReactionKind.support]
    kinds = db.session.scalars(sa.select(Reaction.kind).where(Reaction.contribution_id == contribution_id)).all()
    assert kinds == [ReactionKind.support]
    contribution = db.session.get(Contribution, contribution_id)
    assert (contribution.agree_count, contribution.support_count) == (0, 1)
