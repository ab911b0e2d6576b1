"""What the consultation pages read: public lists, topics and threads, where a person stands,
their reactions, search, the synthesis's figures and the export of contributions.

Nothing here changes a row; functions named as lists return a ``select`` for the page to paginate.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from participation.accounts.models import AccountState, User
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM, require
from participation.extensions import db
from participation.forums import search
from participation.forums.models import (
    CharterAcceptance,
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Follow,
    Reaction,
    ReactionKind,
    Topic,
)
from participation.territory.models import Commune, Theme
from flask_babel import gettext as _


def visible_condition(actor):
    """Contributions a person sees in a thread: published ones, deleted ones that
    have visible replies (as « supprimée par son auteur »), and their own waiting ones."""
    reply = aliased(Contribution)
    has_replies = sa.exists().where(reply.parent_id == Contribution.id, reply.state == ContributionState.published)
    conditions = [
        Contribution.state == ContributionState.published,
        sa.and_(Contribution.state == ContributionState.deleted, Contribution.parent_id.is_(None), has_replies),
    ]
    if getattr(actor, "is_authenticated", False) and getattr(actor, "id", None) is not None:
        conditions.append(sa.and_(Contribution.author_id == actor.id, Contribution.state.in_([ContributionState.pending, ContributionState.hidden])))
    return sa.or_(*conditions)


def public_consultations(*, theme_id=None, commune_id=None, status: str | None = None, query: str | None = None, now=None):
    """A ``select`` of (consultation, contribution count) rows for the public list."""
    now = now or utcnow()
    count = (
        sa.select(sa.func.count(Contribution.id))
        .where(Contribution.consultation_id == Consultation.id, Contribution.state == ContributionState.published)
        .scalar_subquery()
    )
    select = sa.select(Consultation, count.label("contributions")).where(Consultation.state != ConsultationState.draft)
    live = Consultation.state.in_([ConsultationState.published, ConsultationState.open])
    if status == "open":
        select = select.where(live, Consultation.opens_at <= now, Consultation.closes_at > now)
    elif status == "upcoming":
        select = select.where(live, Consultation.opens_at > now)
    elif status == "closed":
        select = select.where(sa.or_(~live, Consultation.closes_at <= now))
    if theme_id:
        select = select.where(Consultation.themes.any(Theme.id == theme_id))
    if commune_id:
        select = select.where(Consultation.communes.any(Commune.id == commune_id))
    if query:
        # French search (forums/search.py): the consultation's title and question, its topics' titles, its contributions.
        dialect = db.session.get_bind().dialect.name
        in_contributions = search.condition("contributions", query, dialect)
        if in_contributions is not None:
            published = sa.select(Contribution.id).where(Contribution.topic_id == Topic.id, Contribution.state == ContributionState.published)
            select = select.where(sa.or_(
                search.condition("consultations", query, dialect),
                Consultation.id.in_(sa.select(Topic.consultation_id).where(search.condition("topics", query, dialect), published.exists())),
                Consultation.id.in_(
                    sa.select(Contribution.consultation_id).where(in_contributions, Contribution.state == ContributionState.published)
                ),
            ))
    return select.order_by(Consultation.closes_at.desc(), Consultation.id.desc())


def topics_of(consultation: Consultation, actor):
    """A ``select`` of the topics a person sees, most recent activity first.

    Only topics: a deep page (``OFFSET`` 10 000) walks the index of
    ``(consultation_id, last_activity_at)`` without computing anything for the
    rows it skips; ``with_counts()`` adds the counts for the page's rows."""
    visible = visible_condition(actor)
    shown = sa.exists().where(Contribution.topic_id == Topic.id, visible)
    return (
        sa.select(Topic)
        .options(selectinload(Topic.author), selectinload(Topic.theme))
        .where(Topic.consultation_id == consultation.id, shown)
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
    )


def with_counts(topics: list[Topic]) -> list[tuple[Topic, int]]:
    """(topic, published contribution count) for a page of topics, in one query."""
    ids = [t.id for t in topics]
    counts = dict(db.session.execute(
        sa.select(Contribution.topic_id, sa.func.count(Contribution.id))
        .where(Contribution.topic_id.in_(ids), Contribution.state == ContributionState.published)
        .group_by(Contribution.topic_id)
    ).all()) if ids else {}
    return [(t, counts.get(t.id, 0)) for t in topics]


def consultations_with_counts(consultations: list[Consultation]) -> list[tuple[Consultation, int]]:
    """(consultation, published contribution count) for a page of consultations, in one grouped query
    (``count(*)``: the index ``ix_contributions_consultation_state`` alone answers, once the table is vacuumed)."""
    ids = [c.id for c in consultations]
    counts = dict(db.session.execute(
        sa.select(Contribution.consultation_id, sa.func.count())
        .where(Contribution.consultation_id.in_(ids), Contribution.state == ContributionState.published)
        .group_by(Contribution.consultation_id)
    ).all()) if ids else {}
    return [(c, counts.get(c.id, 0)) for c in consultations]


def thread(topic: Topic, actor):
    """A ``select`` of the topic's top-level contributions a person sees, oldest first."""
    return (
        sa.select(Contribution)
        .options(joinedload(Contribution.author))
        .where(Contribution.topic_id == topic.id, Contribution.parent_id.is_(None), visible_condition(actor))
        .order_by(Contribution.created_at, Contribution.id)
    )


def replies_to(contributions: list[Contribution], actor) -> dict[int, list[Contribution]]:
    """The visible replies to a page of contributions, in one query."""
    ids = [c.id for c in contributions]
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Contribution).options(joinedload(Contribution.author))
        .where(Contribution.parent_id.in_(ids), visible_condition(actor))
        .order_by(Contribution.created_at, Contribution.id)
    ).all()
    result: dict[int, list[Contribution]] = {}
    for reply in rows:
        result.setdefault(reply.parent_id, []).append(reply)
    return result


def has_public_thread(topic: Topic) -> bool:
    """Whether anyone sees a contribution of ``topic`` (``visible_condition``); a person with a waiting or
    hidden contribution there also sees theirs (``standing``): their pages are theirs."""
    return bool(db.session.scalar(sa.select(
        sa.exists().where(Contribution.topic_id == topic.id, Contribution.parent_id.is_(None), visible_condition(None)))))


@dataclass(frozen=True)
class Standing:
    """Where a person stands on a consultation (or one of its topics): what their parts of its pages show."""

    accepted_charter: bool = False
    own_unseen: bool = False  # a contribution of theirs that only they see (waiting or hidden)
    following: bool = False  # the topic


def standing(consultation: Consultation, user, topic: Topic | None = None) -> Standing:
    """``user``'s standing on ``consultation`` (and ``topic``), in one query whatever it holds."""
    if not getattr(user, "is_authenticated", False) or user is SYSTEM:
        return Standing()
    statement = _standing_statements()[topic is not None]
    row = db.session.execute(statement, {"consultation": consultation.id, "user": user.id, "topic": getattr(topic, "id", None)}).one()
    return Standing(bool(row[0]), bool(row[1]), bool(row[2]))


@functools.cache
def _standing_statements() -> tuple:
    """``standing()``'s query for a consultation and for a topic, built once: every part page asks it,
    and building its expression cost more than running it."""
    user = sa.bindparam("user")
    accepted = _charter_accepted(sa.bindparam("consultation"), user)

    def own_unseen(where):
        # A contribution of theirs there that only they see (waiting or hidden: ``visible_condition``).
        return sa.exists().where(where, Contribution.author_id == user,
                                 Contribution.state.in_([ContributionState.pending, ContributionState.hidden]))

    in_consultation = sa.select(accepted, own_unseen(Contribution.consultation_id == sa.bindparam("consultation")), sa.false())
    in_topic = sa.select(accepted, own_unseen(Contribution.topic_id == sa.bindparam("topic")), _follows_topic(sa.bindparam("topic"), user))
    return in_consultation, in_topic


def _charter_accepted(consultation, user):
    """Whether ``user`` accepted the charter of ``consultation`` (ids, bound or columns)."""
    return sa.exists().where(CharterAcceptance.consultation_id == consultation, CharterAcceptance.user_id == user)


def _follows_topic(topic, user):
    """Whether ``user`` follows ``topic`` (ids, bound or columns)."""
    return sa.exists().where(Follow.topic_id == topic, Follow.user_id == user)


@functools.cache
def _topic_for_statement():
    # Built once, its options with it: every contribution posted asks it (a statement built anew pays for its cache key).
    # Posting needs neither the consultation's themes nor its communes (read only if the page is shown again).
    user = sa.bindparam("user")
    consultation = sa.orm.joinedload(Topic.consultation).options(sa.orm.lazyload(Consultation.themes), sa.orm.lazyload(Consultation.communes))
    return (sa.select(Topic, _charter_accepted(Topic.consultation_id, user), _follows_topic(Topic.id, user))
            .where(Topic.id == sa.bindparam("topic")).options(consultation))


def topic_for(topic_id: int, user) -> tuple[Topic | None, Standing]:
    """The topic with its consultation, and whether ``user`` (signed in) accepted the consultation's charter and
    follows the topic: one query for what a contribution checks."""
    row = db.session.execute(_topic_for_statement(), {"topic": topic_id, "user": user.id}).first()
    if row is None:
        return None, Standing()
    return row[0], Standing(accepted_charter=bool(row[1]), following=bool(row[2]))


def own_contributions(user, contribution_ids: list[int]) -> dict[int, Contribution]:
    """``user``'s contributions among ``contribution_ids`` (the controls of their own contributions on a page)."""
    if not getattr(user, "is_authenticated", False) or not contribution_ids:
        return {}
    rows = db.session.scalars(sa.select(Contribution).where(Contribution.id.in_(contribution_ids), Contribution.author_id == user.id))
    return {c.id: c for c in rows}


# Built once: every thread a signed-in person reads asks it.
_REACTIONS_OF = sa.select(Reaction.contribution_id, Reaction.kind).where(
    Reaction.user_id == sa.bindparam("user"), Reaction.contribution_id.in_(sa.bindparam("ids", expanding=True)))


def reactions_of(user, contribution_ids: list[int]) -> dict[int, ReactionKind]:
    if not getattr(user, "is_authenticated", False) or not contribution_ids:
        return {}
    rows = db.session.execute(_REACTIONS_OF, {"user": user.id, "ids": contribution_ids}).all()
    return {cid: kind for cid, kind in rows}


def search_contributions(consultation: Consultation, query: str):
    """A ``select`` of the published contributions of a consultation matching ``query`` (``None`` without words)."""
    dialect = db.session.get_bind().dialect.name
    matching = search.condition("contributions", query, dialect)
    if matching is None:
        return None
    if dialect == "postgresql":
        # The GIN index first, materialised: otherwise the planner walks the
        # consultation's contributions newest first and computes every body's
        # tsvector until it has a page (2 s on 15,000 contributions without a match).
        found = search.matching("contributions", query, dialect).cte("matching_contributions").prefix_with("MATERIALIZED")
        matching = Contribution.id.in_(sa.select(found.c.id))
    return (
        sa.select(Contribution)
        .options(joinedload(Contribution.author), joinedload(Contribution.topic))
        .where(Contribution.consultation_id == consultation.id, Contribution.state == ContributionState.published, matching)
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
    )


def staff_consultations():
    return sa.select(Consultation).order_by(Consultation.opens_at.desc(), Consultation.id.desc())


def synthesis_figures(consultation: Consultation) -> dict:
    """The figures a synthesis shows, computed from the published contributions."""
    published = sa.and_(Contribution.consultation_id == consultation.id, Contribution.state == ContributionState.published)
    contributions, contributors = db.session.execute(
        sa.select(sa.func.count(Contribution.id), sa.func.count(sa.distinct(Contribution.author_id))).where(published)
    ).one()
    topics = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Contribution.topic_id))).where(published)
    )
    by_commune = db.session.execute(
        sa.select(sa.func.coalesce(Commune.name, _("Commune non indiquée")).label("name"), sa.func.count(Contribution.id).label("n"))
        .select_from(Contribution)
        .outerjoin(User, User.id == Contribution.author_id)
        .outerjoin(Commune, Commune.id == User.commune_id)
        .where(published)
        .group_by(Commune.name)
        .order_by(sa.text("n DESC"), sa.text("name"))
    ).all()
    by_theme = db.session.execute(
        sa.select(sa.func.coalesce(Theme.name, _("Sans thème")).label("name"), sa.func.count(Contribution.id).label("n"))
        .select_from(Contribution)
        .join(Topic, Topic.id == Contribution.topic_id)
        .outerjoin(Theme, Theme.id == Topic.theme_id)
        .where(published)
        .group_by(Theme.name)
        .order_by(sa.text("n DESC"), sa.text("name"))
    ).all()
    most_supported = db.session.scalars(
        sa.select(Contribution).options(joinedload(Contribution.author), joinedload(Contribution.topic))
        .where(published, Contribution.support_count > 0)
        .order_by(Contribution.support_count.desc(), Contribution.agree_count.desc(), Contribution.id)
        .limit(5)
    ).all()
    return {
        "contributions": contributions,
        "contributors": contributors,
        "topics": topics,
        "by_commune": [(row.name, row.n) for row in by_commune],
        "by_theme": [(row.name, row.n) for row in by_theme],
        "most_supported": most_supported,
    }


EXPORT_COLUMNS = ["id", "sujet", "reponse_a", "pseudonyme", "commune", "date", "etat", "modifiee", "d_accord", "pas_d_accord", "soutiens", "texte"]


def export_rows(consultation: Consultation, *, actor):
    """The consultation's contributions for analysis: pseudonyms only, never an address. Returns an iterator of rows."""
    require(actor, "forums.export", consultation)
    return _export_rows(consultation.id)


def _export_rows(consultation_id: int):
    select = (
        sa.select(Contribution, Topic.title, User.display_name, User.state, Commune.name)
        .join(Topic, Topic.id == Contribution.topic_id)
        .outerjoin(User, User.id == Contribution.author_id)
        .outerjoin(Commune, Commune.id == User.commune_id)
        .where(Contribution.consultation_id == consultation_id,
               Contribution.state.in_([ContributionState.published, ContributionState.deleted]))
        .order_by(Contribution.id)
        .execution_options(yield_per=500)
    )
    from participation.accounts.models import CLOSED_ACCOUNT_NAME

    yield EXPORT_COLUMNS
    for contribution, topic_title, name, state, commune in db.session.execute(select):
        author = CLOSED_ACCOUNT_NAME if state == AccountState.closed or name is None else name
        yield [
            contribution.id, topic_title, contribution.parent_id or "", author, commune or "",
            contribution.created_at.isoformat(), contribution.state.label, "oui" if contribution.edited_at else "non",
            contribution.agree_count, contribution.disagree_count, contribution.support_count, contribution.body,
        ]
