"""Pages reuse the process's copy of the territory's settings until they change."""

from __future__ import annotations

from participation.extensions import db
from participation.territory import services
from tests import factories


def test_a_new_name_shows_at_the_next_page_and_the_copy_saves_a_query(app, client, cache_on, count_queries):
    factories.territory(name="Communauté de communes du Val")
    admin = factories.admin()
    db.session.commit()
    assert "Communauté de communes du Val" in client.get("/concertations/").get_data(as_text=True)
    with count_queries() as counted:
        client.get("/concertations/")
    assert not any("FROM territories" in statement for statement in counted.statements)

    services.save_territory({"name": "Agglomération du Val"}, actor=admin)
    db.session.commit()
    text = client.get("/concertations/").get_data(as_text=True)
    assert "Agglomération du Val" in text and "Communauté de communes du Val" not in text
