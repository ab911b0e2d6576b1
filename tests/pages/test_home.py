"""The home page shows what is happening now, from the blocks the domains declare, in a bounded number of queries."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation import demo
from participation.core.models import utcnow
from participation.extensions import db
from participation.referrals.models import Referral
from participation.pages.homepage import HomeLink, _blocks, collect_home_blocks, home_blocks, register_home_block
from tests import factories


def _section(html: str, key: str) -> str:
    match = re.search(rf'<section class="home-block" aria-labelledby="bloc-{key}">(.*?)</section>', html, re.S)
    assert match, f"pas de bloc « {key} » sur l'accueil"
    return match.group(1)


def test_home_lists_what_is_open_and_coming_from_the_demo(app, client):
    demo.load()
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    consultations = _section(html, "consultations")
    assert "Plan vélo intercommunal" in consultations and "Clôture le" in consultations and "à 23 h 59" in consultations
    assert "Projet de territoire 2030" not in consultations  # not open yet
    assert "Horaires de la piscine" not in consultations  # closed
    events = _section(html, "events")
    assert "Atelier « Vélo au quotidien »" in events and "Atelier jeunesse" not in events  # a draft stays out
    assert "Séance plénière : projet de territoire" in _section(html, "sittings")
    assert "Séance plénière d&#39;installation" not in _section(html, "sittings")  # held already
    assert "Plan de mobilité du Val de Loirande" in _section(html, "opinions")
    # The id as stored: PostgreSQL's sequences run on across rolled-back tests.
    mobility = db.session.scalar(sa.select(Referral.id).where(Referral.subject == "Plan de mobilité du Val de Loirande"))
    assert f"/saisines/{mobility}/avis" in _section(html, "opinions")
    assert "Horaires de la piscine intercommunale" in _section(html, "syntheses")
    assert "Vivre ensemble" in _section(html, "grant_calls") and "Subventions de fonctionnement" not in html


def test_home_runs_the_same_number_of_queries_whatever_the_data(app, client, count_queries):
    factories.territory()
    client.get("/")
    with count_queries() as few:
        assert client.get("/").status_code == 200
    agent = factories.staff()
    for i in range(12):
        factories.consultation(title=f"Concertation {i}")
        factories.event(title=f"Atelier {i}", actor=agent)
        factories.grant_call(title=f"Appel {i}")
    db.session.flush()
    with count_queries() as many:
        html = client.get("/").get_data(as_text=True)
    assert many.count == few.count, many.statements
    assert many.count <= 12
    # Each block shows a short list.
    assert _section(html, "consultations").count("<li>") == 4


def test_a_block_is_declared_by_its_domain_and_an_empty_block_says_so(app, client):
    keys = [block.key for block in home_blocks()]
    assert keys[:3] == ["consultations", "events", "sittings"]
    html = client.get("/").get_data(as_text=True)
    assert "Aucune concertation n&#39;est ouverte en ce moment." in html  # escaped like any text
    assert 'aria-labelledby="bloc-opinions"' not in html  # no opinion yet: the block is left out

    @register_home_block("test_news", "Actualités", order=1, empty="Rien de neuf.")
    def news(limit):
        return [HomeLink("Le marché de Noël", "/actualites/1", when=utcnow(), when_prefix="Publiée le", all_day=True)][:limit]

    try:
        with app.test_request_context("/"):
            shown = collect_home_blocks()
        assert shown[0].block.key == "test_news" and shown[0].links[0].title == "Le marché de Noël"
        html = client.get("/").get_data(as_text=True)
        assert "Le marché de Noël" in _section(html, "test_news")
    finally:
        del _blocks["test_news"]
