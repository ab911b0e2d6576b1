"""A proxy holder is told, by notice and by mail, and sees the proxies they hold on the
sitting's page; staff see who holds whose proxy on the sitting's back-office page."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from participation.core.outbox import OutboxMail, deliver_due
from participation.councils import sittings
from participation.extensions import db
from participation.notifications.models import Notification
from tests import factories


def _text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body))


def _people():
    council = factories.council()
    alice = factories.member(council, user_=factories.user(display_name="Alice Martin"))
    bruno = factories.member(council, user_=factories.user(display_name="Bruno Petit"))
    chloe = factories.member(council, user_=factories.user(display_name="Chloé Durand"))
    sitting = factories.sitting(council, days=3, publish=True)
    return council, sitting, alice, bruno, chloe


def test_the_holder_is_told_by_notice_and_mail_and_sees_it_on_the_sitting_page(client, mailbox):
    council, sitting, alice, bruno, chloe = _people()
    sittings.answer_convocation(sitting, answer="present", actor=alice.user)
    sittings.answer_convocation(sitting, answer="represented", proxy=alice, actor=bruno.user)
    db.session.commit()
    deliver_due()

    [mail] = [m for m in mailbox if m.recipients == [alice.user.email] and "procuration" in m.subject]
    assert mail.subject == f"Vous détenez une procuration : {sitting.title}"
    assert "Bruno Petit vous confie sa procuration pour la séance" in mail.text and "vous y voterez en son nom" in mail.text
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == alice.user.id, Notification.title.contains("procuration")))
    assert notice is not None and notice.title.startswith("Bruno Petit vous confie sa procuration")
    assert not [m for m in mailbox if m.recipients == [chloe.user.email] and "procuration" in m.subject]  # nobody else is told

    client.login(alice.user.email, factories.PASSWORD)
    page = _text(client.get(f"/conseils/{council.slug}/seances/{sitting.id}"))
    assert "Procuration que vous détenez : Bruno Petit." in page
    other = client.application.test_client()
    other.login(bruno.user.email, factories.PASSWORD)
    assert "procuration donnée à Alice Martin" in _text(other.get(f"/conseils/{council.slug}/seances/{sitting.id}"))


def test_a_proxy_moved_to_another_member_tells_both(mailbox):
    council, sitting, alice, bruno, chloe = _people()
    sittings.answer_convocation(sitting, answer="represented", proxy=alice, actor=bruno.user)
    sittings.answer_convocation(sitting, answer="represented", proxy=alice, actor=bruno.user)  # the same answer again: no new mail
    sittings.answer_convocation(sitting, answer="represented", proxy=chloe, actor=bruno.user)
    db.session.commit()
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.template == "councils/proxy").order_by(OutboxMail.id)).all()
    assert [(m.recipient, m.subject.split(" :")[0]) for m in mails] == [
        (alice.user.email, "Vous détenez une procuration"),
        (chloe.user.email, "Vous détenez une procuration"),
        (alice.user.email, "Procuration retirée"),
    ]
    assert "ne vous confie plus sa procuration" in mails[2].body_text


def test_staff_see_who_holds_whose_proxy(client):
    council, sitting, alice, bruno, chloe = _people()
    sittings.answer_convocation(sitting, answer="represented", proxy=alice, actor=bruno.user)
    agent = factories.staff(email="agent-seance@example.org")
    client.login(agent.email, factories.PASSWORD)
    page = _text(client.get(f"/gestion/conseils/seances/{sitting.id}"))
    assert "Bruno Petit Représenté·e (procuration) — procuration donnée à Alice Martin" in page
    assert "Alice Martin Pas de réponse — mandataire de : Bruno Petit" in page
