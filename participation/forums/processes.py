"""Consultations as participatory processes of the register (see ``participation/processes/sources.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from participation.agenda.sources import linked_ids
from participation.core.dates import utc_to_local
from participation.extensions import db
from participation.forums.models import (
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Reaction,
    consultation_communes,
    consultation_themes,
)
from participation.processes.sources import PlatformProcess, path, register_process_source
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@register_process_source("consultation", _l("Concertation en ligne"), automatic=True)
def consultations(ids: list[int] | None) -> list[PlatformProcess]:
    """Every consultation made public, with its contributions, contributors and reactions: four queries."""
    statement = sa.select(Consultation).where(Consultation.state != ConsultationState.draft).order_by(Consultation.id)
    if ids is not None:
        statement = statement.where(Consultation.id.in_(ids))
    items = db.session.scalars(statement.options(sa.orm.lazyload("*"))).all()
    if not items:
        return []
    item_ids = [c.id for c in items]
    published = Contribution.state == ContributionState.published
    counts = {
        cid: (contributions, contributors)
        for cid, contributions, contributors in db.session.execute(
            sa.select(Contribution.consultation_id, sa.func.count(Contribution.id), sa.func.count(sa.distinct(Contribution.author_id)))
            .where(Contribution.consultation_id.in_(item_ids), published).group_by(Contribution.consultation_id)
        )
    }
    reactions = dict(db.session.execute(
        sa.select(Contribution.consultation_id, sa.func.count(Reaction.id)).join(Reaction, Reaction.contribution_id == Contribution.id)
        .where(Contribution.consultation_id.in_(item_ids)).group_by(Contribution.consultation_id)
    ).all())
    communes = linked_ids(consultation_communes, "consultation_id", "commune_id", item_ids)
    themes = linked_ids(consultation_themes, "consultation_id", "theme_id", item_ids)
    result = []
    for c in items:
        contributions, contributors = counts.get(c.id, (0, 0))
        result.append(PlatformProcess(
            source_id=c.id, title=c.title, method="online_consultation",
            url=path("forums.consultation", consultation_id=c.id),
            starts_on=utc_to_local(c.opens_at).date(), ends_on=utc_to_local(c.closes_at).date(),
            participants=contributors,
            figures=((_("Contributions"), contributions), (_("Contributeurs"), contributors), (_("Réactions"), reactions.get(c.id, 0))),
            summary=c.question, results=c.synthesis or "" if c.synthesis_published_at else "",
            commune_ids=communes.get(c.id, frozenset()), theme_ids=themes.get(c.id, frozenset()),
        ))
    return result
