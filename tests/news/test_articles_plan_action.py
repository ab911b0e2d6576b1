"""An article links the action of a territorial plan it reports on."""

from __future__ import annotations

from html import unescape

import sqlalchemy as sa

from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.news import services as news
from participation.news.models import Article
from participation.plans import services as plans
from tests import factories


def test_an_article_links_a_plan_action_and_its_page_leads_there(client):
    agent = factories.staff()
    plan = factories.plan(title="Projet de territoire", axes=1, objectives=1, actions=1, state="running")
    draft_plan = factories.plan(title="Plan en élaboration", axes=1, objectives=1, actions=1)
    action = plans.actions_of(plan)[0]
    client.login(agent.email, factories.PASSWORD)
    data = {"title": "La médiation de nuit commence", "summary": "Deux médiateurs aux Tilleuls.", "body": "Depuis lundi, **deux** médiateurs.",
            "image_alt": ""}
    refused = client.submit("/gestion/actualites/nouveau", {**data, "plan_action_id": "999999"})
    assert refused.status_code == 422 and "Cette action de plan n'existe pas." in unescape(refused.get_data(as_text=True))
    hidden = client.submit("/gestion/actualites/nouveau", {**data, "plan_action_id": str(plans.actions_of(draft_plan)[0].id)})
    assert hidden.status_code == 422 and "pas encore public" in unescape(hidden.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0  # nothing stored
    assert client.submit("/gestion/actualites/nouveau", {**data, "plan_action_id": str(action.id)}).status_code == 302
    article = db.session.scalar(sa.select(Article))
    assert article.plan_action_id == action.id
    news.publish(article, actor=SYSTEM)
    page = unescape(client.get(f"/actualites/{article.id}").get_data(as_text=True))
    assert "Plan « Projet de territoire »" in page and f'href="/plans/{plan.slug}/actions/{action.id}"' in page
    assert f"Action {action.code} — {action.title}" in page
