"""Search speaks French, on SQLite and PostgreSQL alike: singular and plural,
accents or none, in contributions and in titles; and it goes through its index."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.forums import reading, search, services
from participation.forums.models import Contribution
from tests import factories


def _found(consultation, query: str) -> list[str]:
    return [c.body for c in db.session.scalars(reading.search_contributions(consultation, query)).all()]


def _consultations(query: str) -> list[int]:
    return [c.id for c, _ in db.session.execute(reading.public_consultations(query=query)).all()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vélo", {"Des garages à vélos près des gares.", "Un vélo pour chaque enfant de l'École."}),
        ("velos", {"Des garages à vélos près des gares.", "Un vélo pour chaque enfant de l'École."}),
        ("VÉLO", {"Des garages à vélos près des gares.", "Un vélo pour chaque enfant de l'École."}),
        ("ecole", {"Un vélo pour chaque enfant de l'École.", "Les écoles ferment trop tôt."}),
        ("écoles", {"Un vélo pour chaque enfant de l'École.", "Les écoles ferment trop tôt."}),
        ("garage velo", {"Des garages à vélos près des gares."}),
        ("piscine", set()),
    ],
)
def test_a_word_finds_its_plural_singular_and_unaccented_forms(query, expected):
    consultation = factories.consultation(title="Mobilités")
    for body in ("Des garages à vélos près des gares.", "Un vélo pour chaque enfant de l'École.", "Les écoles ferment trop tôt."):
        factories.topic(consultation, body=body)
    assert set(_found(consultation, query)) == expected


def test_titles_are_searched_in_french_too():
    bikes = factories.consultation(title="Plan vélos 2027")
    schools = factories.consultation(title="Rythmes à l'école")
    other = factories.consultation(title="Piscine intercommunale")
    factories.topic(other, title="Des pistes cyclables écoles comprises", body="Rien à voir.")
    assert _consultations("velo") == [bikes.id]
    assert set(_consultations("écoles")) == {schools.id, other.id}
    assert _consultations("Piscines") == [other.id]


def test_an_edited_or_deleted_contribution_is_searched_as_it_now_is():
    consultation = factories.consultation()
    topic = factories.topic(consultation, body="Des bancs publics.")
    topic_contribution = db.session.scalars(reading.thread(topic, None)).first()
    services.edit_contribution(topic_contribution, body="Des vélos en libre-service.", actor=topic_contribution.author)
    db.session.flush()
    assert _found(consultation, "velo") == ["Des vélos en libre-service."]
    assert _found(consultation, "banc") == []
    db.session.delete(topic_contribution)
    db.session.flush()
    assert _found(consultation, "velo") == []


def test_search_is_read_from_its_index(app):
    """On PostgreSQL the GIN index answers (the plan names it); on SQLite the FTS5 table does."""
    consultation = factories.consultation()
    dialect = db.session.get_bind().dialect.name
    query = reading.search_contributions(consultation, "vélos écoles")
    if dialect == "postgresql":
        # The text condition alone (the planner may start from another index on a tiny table).
        query = sa.select(sa.func.count()).select_from(Contribution).where(search.condition("contributions", "vélos écoles", dialect))
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        compiled = query.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in db.session.execute(sa.text(f"EXPLAIN {compiled}")))
        assert "ix_contributions_search" in plan, plan
    else:
        assert "contributions_fts MATCH" in str(query)
        # The stems, not the words, are what the index holds and what is asked.
        assert search.fr_index("Les Écoles et les vélos") == "le ecol et le velos"
