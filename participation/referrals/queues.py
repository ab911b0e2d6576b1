"""The referrals' work for the back office's « what waits for me » (see ``participation/staff/queues.py``).

The authority's answer to an opinion is its departments' work (the droit de
suite): a staff member sees the opinions that their department must answer
(the referring or the answering department); admins see every one.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for

from participation.referrals.models import AWAITING_OPINION, Referral, ReferralState
from participation.staff.queues import QueueItem, department_of, register_queue, sees_all_departments
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _answered_by(statement, user):
    if sees_all_departments(user):
        return statement
    department_id = department_of(user)
    if department_id is None:
        return statement.where(sa.false())
    return statement.where(sa.or_(Referral.department_id == department_id, Referral.answer_department_id == department_id))


def _base():
    return sa.select(Referral).options(sa.orm.lazyload(Referral.themes))


@register_queue("opinions_to_answer", _l("Avis qui attendent la réponse de votre direction"), permission="referrals.manage",
                url_endpoint="referrals_staff.index", order=30,
                help=_l("Avis transmis à la collectivité : la réponse, recommandation par recommandation, est à donner."))
def opinions_to_answer(user):
    statement = _answered_by(_base().where(Referral.state == ReferralState.transmitted), user)

    def item(referral: Referral) -> QueueItem:
        due = _("réponse due le %(day)s %(month)s %(year)s", day=referral.answer_due_on.day, month=_month(referral.answer_due_on), year=referral.answer_due_on.year) \
            if referral.answer_due_on else None
        return QueueItem(title=f"{referral.council.name} : {referral.subject}",
                         url=url_for("referrals_staff.referral", referral_id=referral.id), since=referral.transmitted_at, detail=due)

    return statement, Referral.transmitted_at, item


@register_queue("answers_overdue", _l("Réponses aux avis en retard"), permission="referrals.manage",
                url_endpoint="referrals_staff.overdue", order=31,
                help=_l("Avis transmis dont la réponse de la collectivité a dépassé sa date limite."))
def answers_overdue(user):
    statement = _answered_by(
        _base().where(Referral.state == ReferralState.transmitted, Referral.answer_due_on < date.today()), user)

    def item(referral: Referral) -> QueueItem:
        return QueueItem(title=f"{referral.council.name} : {referral.subject}",
                         url=url_for("referrals_staff.referral", referral_id=referral.id), since=referral.answer_due_on,
                         detail=_("date limite dépassée"))

    return statement, Referral.answer_due_on, item


@register_queue("opinions_overdue", _l("Avis attendus des conseils en retard"), permission="referrals.manage",
                url_endpoint="referrals_staff.index", order=32,
                help=_l("Saisines dont l'avis du conseil a dépassé sa date de remise."))
def opinions_overdue(user):
    statement = _answered_by(_base().where(Referral.state.in_(AWAITING_OPINION), Referral.due_on < date.today()), user)

    def item(referral: Referral) -> QueueItem:
        return QueueItem(title=f"{referral.council.name} : {referral.subject}",
                         url=url_for("referrals_staff.referral", referral_id=referral.id), since=referral.due_on,
                         detail=_("avis attendu"))

    return statement, Referral.due_on, item


_MONTHS = (_l("janvier"), _l("février"), _l("mars"), _l("avril"), _l("mai"), _l("juin"), _l("juillet"), _l("août"), _l("septembre"),
           _l("octobre"), _l("novembre"), _l("décembre"))


def _month(day: date) -> str:
    return _MONTHS[day.month - 1]
