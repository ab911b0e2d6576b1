"""Two requests reacting at once for the same person never make two reactions."""

from __future__ import annotations

import threading

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
    if not sqlite:
        # The second insert waits for the first, then becomes a change of the same row.
        assert rows == 1
    # SQLite: the second click waits for the write lock, then finds the first one's
    # reaction and withdraws it, as two clicks one after the other do.
