"""Consultations and calls for projects in the agenda citoyen, beside events."""

from __future__ import annotations

from datetime import timedelta

from participation.agenda.sources import AgendaQuery, collect
from participation.core.models import utcnow
from tests import factories


def _query(days_before=2, days_after=60, **filters):
    now = utcnow()
    return AgendaQuery(start=now - timedelta(days=days_before), end=now + timedelta(days=days_after), **filters)


def test_a_consultation_gives_its_opening_and_closing(app):
    theme = factories.theme("Mobilités")
    commune = factories.commune("Vauclair")
    consultation = factories.consultation(opens_in_days=-1, closes_in_days=20, themes=[theme], communes=[commune], title="Plan vélo")
    factories.consultation(state="draft", title="Brouillon")
    items = [i for i in collect(_query(kinds=frozenset({"consultation"})))]
    assert [(i.title, i.uid, i.all_day) for i in items] == [
        ("Ouverture de la concertation « Plan vélo »", f"consultation-{consultation.id}-opening", True),
        ("Clôture de la concertation « Plan vélo »", f"consultation-{consultation.id}-closing", True),
    ]
    assert items[0].url == f"/concertations/{consultation.id}"
    assert items[0].theme_ids == {theme.id} and items[0].commune_ids == {commune.id}
    # Only the closing falls in a period that starts after the opening.
    later = collect(_query(days_before=-5, kinds=frozenset({"consultation"})))
    assert [i.uid for i in later] == [f"consultation-{consultation.id}-closing"]


def test_consultation_filters(app):
    vélo, eau = factories.theme("Vélo"), factories.theme("Eau")
    ici, ailleurs = factories.commune("Ici"), factories.commune("Ailleurs")
    local = factories.consultation(themes=[vélo], communes=[ici], title="Locale")
    everywhere = factories.consultation(themes=[eau], title="Tout le territoire")
    by_theme = collect(_query(kinds=frozenset({"consultation"}), theme_ids=frozenset({vélo.id})))
    assert {i.uid.rsplit("-", 1)[0] for i in by_theme} == {f"consultation-{local.id}"}
    by_commune = collect(_query(kinds=frozenset({"consultation"}), commune_ids=frozenset({ailleurs.id})))
    # A consultation without communes concerns the whole territory.
    assert {i.uid.rsplit("-", 1)[0] for i in by_commune} == {f"consultation-{everywhere.id}"}


def test_a_call_for_projects_gives_its_closing_deadline(app):
    call = factories.grant_call(opens_in_days=-5, closes_in_days=10)
    factories.grant_call(opens_in_days=-60, closes_in_days=-30)
    items = collect(_query(kinds=frozenset({"grant_call"})))
    assert [(i.uid, i.all_day, i.url) for i in items] == [(f"grant-call-{call.id}-closing", True, f"/subventions/appels/{call.id}")]
    assert items[0].title.startswith("Clôture de l'appel à projets")


def test_the_agenda_page_and_feed_show_every_kind(client):
    from participation.agenda.services import local_date

    consultation = factories.consultation(title="Plan vélo")
    call = factories.grant_call(closes_in_days=10, title="Fonds jeunesse")
    event = factories.event(title="Atelier mobilité")
    for title, moment in (("Plan vélo", consultation.opens_at), ("Fonds jeunesse", call.closes_at), ("Atelier mobilité", event.starts_at)):
        page = client.get(f"/agenda/?mois={local_date(moment):%Y-%m}").get_data(as_text=True)
        assert title in page
    feed = client.get("/agenda.ics").get_data(as_text=True)
    assert "Clôture de la concertation « Plan vélo »" in feed.replace("\r\n ", "")
