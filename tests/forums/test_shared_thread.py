"""A topic's contributions are rendered once and shared by logged-in people (core/holes.py): each
person still sees their own reactions, controls and CSRF token, never another's, and a change shows
at the next load."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation.core import holes
from participation.extensions import db
from participation.forums import moderation, reading, services
from participation.forums.models import Contribution, ReactionKind
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PRESSED_RE = re.compile(r'aria-pressed="true">([^<]+)<')


@pytest.fixture
def forum(app, cache_on, count_calls, logged_in):
    """Alice and Bruno take part in a topic; the thread's renderings are counted."""
    consultation = factories.consultation(title="Plan vélo")
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.participant(consultation, display_name="Bruno Petit")
    topic = factories.topic(consultation, alice, title="Arceaux", body="Il manque des arceaux.")
    first = db.session.scalar(sa.select(Contribution).where(Contribution.topic_id == topic.id))
    reply = services.contribute(topic, body="Réponse de Bruno.", parent=first, actor=bruno)
    other = services.contribute(topic, body="Avis de Bruno sur les arceaux.", actor=bruno)
    services.react(other, ReactionKind.agree, actor=alice)
    db.session.commit()
    renders = count_calls(reading, "replies_to")
    as_alice, as_bruno = logged_in(alice.email, bruno.email)
    return dict(consultation=consultation, topic=topic, alice=alice, bruno=bruno, first=first, other=other, reply=reply,
                as_alice=as_alice, as_bruno=as_bruno, renders=renders,
                path=f"/concertations/{consultation.id}/sujets/{topic.id}")


def _article(html: str, contribution_id: int) -> str:
    start = html.index(f'id="contribution-{contribution_id}"')
    return html[start:html.index("</article>", start)]


def test_two_people_share_the_thread_but_see_only_their_own_reactions_controls_and_token(forum):
    alice_page = forum["as_alice"].get(forum["path"]).get_data(as_text=True)
    bruno_page = forum["as_bruno"].get(forum["path"]).get_data(as_text=True)
    assert len(forum["renders"]) == 1  # rendered once for both
    assert "@@h:" not in alice_page and "@@h:" not in bruno_page

    # Alice pressed « D'accord » on Bruno's contribution; Bruno sees the count, no button of his own pressed.
    other = forum["other"]
    assert PRESSED_RE.findall(_article(alice_page, other.id)) == ["D&#39;accord "]
    assert "aria-pressed" not in _article(bruno_page, other.id)  # his own contribution: counts, not buttons
    assert "D&#39;accord : 1" in _article(bruno_page, other.id)
    assert PRESSED_RE.findall(bruno_page) == []

    # Each one's own controls: Bruno may edit and delete his contribution, Alice may report it.
    bruno_own = _article(bruno_page, other.id)
    assert "/modifier" in bruno_own and "/supprimer" in bruno_own and "/signaler" not in bruno_own
    seen_by_alice = _article(alice_page, other.id)
    assert "/modifier" not in seen_by_alice and "/supprimer" not in seen_by_alice and "/signaler" in seen_by_alice

    # Each page carries its own session's token, in every form.
    alice_tokens, bruno_tokens = set(CSRF_RE.findall(alice_page)), set(CSRF_RE.findall(bruno_page))
    assert len(alice_tokens) == 1 and len(bruno_tokens) == 1 and alice_tokens != bruno_tokens


def test_the_token_and_signed_moment_of_a_shared_thread_are_accepted(forum):
    # A reaction and a reply posted from the shared page's forms, as a browser does.
    page = forum["as_bruno"].get(forum["path"]).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    started = re.search(r'name="reply-started"[^>]*value="([^"]+)"', page).group(1)
    target = forum["first"].id  # Alice's: Bruno has buttons there
    assert f"/contributions/{target}/reaction" in page
    response = forum["as_bruno"].post(f"/concertations/contributions/{target}/reaction", data={"csrf_token": token, "kind": "support"})
    assert response.status_code == 302
    parent = int(re.search(r'name="reply-parent_id" value="(\d+)"', page).group(1))
    response = forum["as_bruno"].post(forum["path"] + "/contributions", data={
        "csrf_token": token, "reply-started": started, "reply-body": "Merci pour ces précisions.", "reply-parent_id": parent})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = forum["as_bruno"].get(forum["path"]).get_data(as_text=True)
    assert "Merci pour ces précisions." in page
    assert PRESSED_RE.findall(_article(page, target)) == ["Soutien "]


def test_a_reaction_a_reply_and_a_moderation_show_at_the_next_load(forum):
    as_alice, path, other = forum["as_alice"], forum["path"], forum["other"]
    as_alice.get(path)
    services.react(other, ReactionKind.agree, actor=forum["alice"])  # the same kind again: withdrawn
    db.session.commit()
    page = as_alice.get(path).get_data(as_text=True)
    assert PRESSED_RE.findall(_article(page, other.id)) == [] and "(0)" in _article(page, other.id)

    services.contribute(forum["topic"], body="Une nouvelle idée.", actor=forum["bruno"])
    db.session.commit()
    assert "Une nouvelle idée." in as_alice.get(path).get_data(as_text=True)

    moderator = factories.user(roles=("moderator",))
    moderation.moderate([other], action="hide", reason="Hors sujet", actor=moderator)
    db.session.commit()
    assert "Avis de Bruno sur les arceaux." not in as_alice.get(path).get_data(as_text=True)
    assert "Avis de Bruno sur les arceaux." not in forum["as_bruno"].get(path).get_data(as_text=True)


def test_a_person_with_a_waiting_contribution_sees_it_and_no_one_else_does(app, cache_on, logged_in):
    consultation = factories.consultation(premoderated=True)
    alice = factories.participant(consultation, display_name="Alice Martin")
    bruno = factories.participant(consultation, display_name="Bruno Petit")
    moderator = factories.user(roles=("moderator",))
    topic = factories.topic(consultation, alice, title="Arceaux", body="Il manque des arceaux.")
    moderation.moderate(db.session.scalars(sa.select(Contribution)).all(), action="approve", reason="Conforme à la charte", actor=moderator)
    services.contribute(topic, body="Ma réponse en attente.", actor=bruno)
    db.session.commit()
    as_alice, as_bruno = logged_in(alice.email, bruno.email)
    path = f"/concertations/{consultation.id}/sujets/{topic.id}"
    alice_page = as_alice.get(path).get_data(as_text=True)
    bruno_page = as_bruno.get(path).get_data(as_text=True)
    assert "Ma réponse en attente." not in alice_page and "Il manque des arceaux." in alice_page
    assert "Ma réponse en attente." in bruno_page and "Il manque des arceaux." in bruno_page
    assert "@@h:" not in bruno_page and CSRF_RE.search(bruno_page)


def test_text_written_by_a_resident_cannot_forge_a_marker(forum, app):
    with app.test_request_context():
        real = str(holes.hole("csrf"))
    forged = real[:-8] + "00000000" + "@@"
    services.contribute(forum["topic"], body=f"Voici {forged} et fin.", actor=forum["bruno"])
    db.session.commit()
    page = forum["as_alice"].get(forum["path"]).get_data(as_text=True)
    assert forged in page  # shown as the text it is, never replaced by Alice's token
    token = CSRF_RE.search(page).group(1)
    assert f"Voici {token}" not in page


def test_an_unfilled_marker_is_an_error(app):
    with app.test_request_context():
        with holes.rendering():
            html = f"<p>{holes.hole('pressed', '1-agree')}</p>"
        with pytest.raises(holes.HoleError):
            holes.fill(html, csrf="x")
        with pytest.raises(holes.HoleError):
            holes.check(html.encode())
        assert holes.fill(html, pressed=lambda args: {a: "true" for a in args}) == "<p>true</p>"


def test_the_thread_costs_the_same_queries_for_a_short_and_a_long_page(forum, count_queries):
    def measure():
        for _warm_up in range(2):  # the shared part is built once; the page is found to be personal once
            forum["as_alice"].get(forum["path"])
        with count_queries() as counted:
            forum["as_alice"].get(forum["path"])
        return counted.count

    few = measure()
    for i in range(15):
        contribution = services.contribute(forum["topic"], body=f"Contribution {i}", actor=forum["bruno"])
        services.contribute(forum["topic"], body=f"Réponse {i}", parent=contribution, actor=forum["bruno"])
    db.session.commit()
    assert measure() == few

