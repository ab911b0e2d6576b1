"""The questionnaires' work for the back office's « what waits for me » (see ``participation/staff/queues.py``).

Questionnaires belong to no department: every agent who runs them sees these queues.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from participation.core.models import utcnow
from participation.staff.queues import QueueItem, register_queue
from participation.surveys.models import Questionnaire, SurveyState
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _item(date_attribute: str, detail: str):
    def item(questionnaire: Questionnaire) -> QueueItem:
        return QueueItem(title=questionnaire.display_title, url=url_for("surveys_staff.detail", questionnaire_id=questionnaire.id),
                         since=getattr(questionnaire, date_attribute), detail=detail)

    return item


@register_queue("questionnaires_past_closing", _l("Questionnaires ouverts après leur date de clôture"), permission="surveys.manage",
                url_endpoint="surveys_staff.index", order=70,
                help=_l("Leur date de clôture est passée mais ils prennent encore des réponses : clôturez-les ou reportez la date."))
def past_closing(user):
    statement = sa.select(Questionnaire).where(Questionnaire.state == SurveyState.open, Questionnaire.closes_at.is_not(None),
                                               Questionnaire.closes_at <= utcnow())
    return statement, Questionnaire.closes_at, _item("closes_at", _("Date de clôture dépassée"))


@register_queue("questionnaires_unpublished", _l("Questionnaires clos dont les résultats ne sont pas publiés"), permission="surveys.manage",
                url_endpoint="surveys_staff.index", order=71,
                help=_l("Les répondants attendent les résultats : rédigez l'analyse et publiez-les."))
def closed_unpublished(user):
    statement = sa.select(Questionnaire).where(Questionnaire.state == SurveyState.closed)
    return statement, sa.func.coalesce(Questionnaire.closed_at, Questionnaire.updated_at), _item("closed_at", _("Clos, résultats à publier"))
