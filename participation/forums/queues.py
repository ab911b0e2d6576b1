"""The consultations' work for the back office's « what waits for me » (see ``participation/staff/queues.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from participation.forums.models import Contribution, ContributionState, Topic
from participation.staff.queues import QueueItem, register_queue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _item(contribution: Contribution) -> QueueItem:
    excerpt = " ".join((contribution.body or "").split())
    return QueueItem(
        title=_("%(title)s : « %(value)s%(value2)s »", title=contribution.topic.title, value=excerpt[:80], value2='…' if len(excerpt) > 80 else ''),
        url=url_for("forums.topic", consultation_id=contribution.consultation_id, topic_id=contribution.topic_id),
        since=contribution.created_at,
    )


def _with_topic(statement):
    return statement.options(sa.orm.joinedload(Contribution.topic).load_only(Topic.title))


@register_queue("contributions_pending", _l("Contributions à modérer"), permission="forums.view_moderation",
                url_endpoint="forums_staff.moderation", url_values={"file": "pending"}, order=10,
                help=_l("Contributions des concertations modérées a priori, en attente de publication."))
def contributions_pending(user):
    statement = _with_topic(sa.select(Contribution).where(Contribution.state == ContributionState.pending))
    return statement, Contribution.created_at, _item


@register_queue("contributions_reported", _l("Contributions signalées"), permission="forums.view_moderation",
                url_endpoint="forums_staff.moderation", url_values={"file": "reported"}, order=11,
                help=_l("Contributions masquées en attente d'examen ou signalées par des participants."))
def contributions_reported(user):
    statement = _with_topic(sa.select(Contribution).where(
        sa.or_(Contribution.state == ContributionState.hidden,
               sa.and_(Contribution.report_count > 0, Contribution.state == ContributionState.published))
    ))
    return statement, Contribution.created_at, _item
