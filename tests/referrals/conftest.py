"""A council with a bureau, a working group and a referral, for the referral tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from participation.core.permissions import SYSTEM
from participation.councils.extras import create_group
from participation.councils.models import Answer
from participation.councils.sittings import answer_convocation
from participation.extensions import db
from participation.referrals import services
from participation.referrals.models import ReferralKind
from tests import factories


@dataclass
class Setup:
    council: object
    president: object
    writer: object
    member: object
    group: object
    department: object
    staff: object


@pytest.fixture
def setup():
    council = factories.council(colleges=(("Collège des habitants", 10),))
    president = factories.member(council, role="president", user_=factories.user("presidente@example.org", display_name="Paule Présidente"))
    writer = factories.member(council, user_=factories.user("redactrice@example.org", display_name="Rita Rédactrice"))
    member = factories.member(council, user_=factories.user("membre@example.org", display_name="Marc Membre"))
    group = create_group(council, name="Mobilités", purpose="", lead=writer, actor=SYSTEM)
    department = factories.department(name="Direction des mobilités", code="MOB", email="mobilites@collectivite.example")
    staff = factories.staff(email="agent@example.org", department_=department)
    return Setup(council, president, writer, member, group, department, staff)


def new_referral(s: Setup, **values):
    values.setdefault("kind", ReferralKind.optional)
    return services.refer(s.council, subject=values.pop("subject", "Plan de mobilité"), question="Quelles priorités ?",
                          act="Plan de mobilité 2026", referred_by="Le président de l'agglomération", department=s.department,
                          actor=s.staff, **values)


def sitting_with_quorum(s: Setup):
    sitting = factories.sitting(s.council, days=1, publish=True)
    for seat in (s.president, s.writer, s.member):
        answer_convocation(sitting, answer=Answer.present, actor=seat.user)
    db.session.flush()
    return sitting


def drafted(s: Setup, referral=None):
    """A referral in progress with an opinion ready for the vote."""
    referral = referral or new_referral(s)
    services.assign_group(referral, s.group, actor=s.president.user)
    opinion = referral.opinion
    services.save_version(opinion, body="Premier paragraphe.\n\nDeuxième paragraphe.", actor=s.writer.user)
    services.add_recommendation(opinion, text="Créer des pistes cyclables.", actor=s.writer.user)
    services.add_recommendation(opinion, text="Renforcer les bus du soir.", actor=s.writer.user)
    services.submit_opinion(opinion, actor=s.writer.user)
    return referral


def adopted(s: Setup):
    referral = drafted(s)
    services.record_vote(referral.opinion, sitting=sitting_with_quorum(s), votes_for=3, votes_against=0, abstentions=0, present=3,
                         actor=s.staff)
    return referral


def transmitted(s: Setup):
    referral = adopted(s)
    services.publish_opinion(referral.opinion, actor=s.staff)
    services.transmit(referral, actor=s.staff)
    return referral
