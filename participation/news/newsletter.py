"""The newsletter: subscriptions (opt-in, double opt-in without an account), issues, their sending in batches.

An issue is sent by the worker (``jobs.send_newsletters``) once its hour has come:
it takes the audience's active subscribers a batch at a time, and for each one
adds an ``IssueDelivery`` row (unique per issue and subscriber) and queues an
outbox mail whose dedup key is ``newsletter:<issue>:<subscriber>``, in the same
transaction. A worker stopped half-way loses nothing and doubles nothing: the
next run takes the subscribers without a delivery row.
"""

from __future__ import annotations

import time as clock
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.locking import begin_writing
from participation.core.models import utcnow
from participation.core.outbox import MailStatus, OutboxMail
from participation.core.permissions import SYSTEM, require
from participation.core.tokens import make_token, token_digest
from participation.core.urls import external_url
from participation.extensions import db
from participation.news.models import (
    ISSUE_WORKFLOW,
    Issue,
    IssueDelivery,
    IssueState,
    Subscriber,
    issue_communes,
    issue_themes,
    subscriber_communes,
    subscriber_themes,
)
from participation.notifications.models import Category, Unsubscription
from participation.notifications.services import mail_address
from flask_babel import lazy_gettext as _l

UNCONFIRMED_DAYS = 7
ITEM_KINDS = {"article": _l("Actualité"), "consultation": _l("Concertation"), "event": _l("Événement"), "opinion": _l("Avis"),
              "questionnaire": _l("Questionnaire")}


# Subscribing -------------------------------------------------------------------


def _normalise(email: str) -> str:
    return (email or "").strip().lower()


def subscribe(email: str, *, communes=(), themes=(), consent: bool, actor=None, source: str = "formulaire") -> Subscriber | None:
    """Ask for the newsletter. With the account's own address it is confirmed at once; otherwise a link
    is mailed (double opt-in). An address already subscribed learns nothing new here (no enumeration)."""
    email = _normalise(email)
    if not email or "@" not in email:
        raise ValidationError(_("Indiquez une adresse électronique valide."), field="email")
    if not consent:
        raise ValidationError(_("Cochez la case pour confirmer que vous souhaitez recevoir la lettre."), field="consent")
    user = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "id", None) else None
    own = user is not None and _normalise(user.email) == email
    subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.email == email))
    now = utcnow()
    if subscriber is not None and subscriber.active and not own:
        return None  # already subscribed: nothing changes for a stranger
    if subscriber is None:
        subscriber = Subscriber(email=email, consent_source=source)
        db.session.add(subscriber)
    subscriber.consent_at, subscriber.consent_source, subscriber.unsubscribed_at = now, ("compte" if own else source), None
    subscriber.communes, subscriber.themes = list(communes), list(themes)
    if own:
        subscriber.user_id = user.id
        subscriber.confirmed_at = subscriber.confirmed_at or now
        subscriber.token_digest = None
        db.session.flush()
        record("newsletter.subscribed", subscriber, user, {"source": "compte"})
        return subscriber
    token = make_token()
    subscriber.token_digest = token_digest(token)
    subscriber.confirmed_at = None
    db.session.flush()
    record("newsletter.subscription_requested", subscriber, user, {"source": source}, context={"token": token})
    mail_address(reason="own_case", to=email, subject=_("Confirmez votre abonnement à la lettre d'information"), template="news/confirm_subscription",
               dedup_key=f"newsletter.confirm:{subscriber.id}:{subscriber.token_digest[:16]}",
               confirm_url=external_url("newsletter.confirm", token=token))
    return subscriber


def confirm(token: str) -> Subscriber | None:
    """Confirm the address behind a mailed link; ``None`` when the link is unknown or too old."""
    subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.token_digest == token_digest(token)))
    if subscriber is None or subscriber.consent_at < utcnow() - timedelta(days=UNCONFIRMED_DAYS):
        return None
    subscriber.confirmed_at = utcnow()
    subscriber.token_digest = None
    record("newsletter.subscribed", subscriber, None, {"source": subscriber.consent_source})
    return subscriber


def purge_unconfirmed(now: datetime | None = None) -> int:
    """Addresses that did not confirm within 7 days are deleted."""
    limit = (now or utcnow()) - timedelta(days=UNCONFIRMED_DAYS)
    result = db.session.execute(sa.delete(Subscriber).where(Subscriber.confirmed_at.is_(None), Subscriber.consent_at < limit))
    return result.rowcount or 0


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="participation.newsletter")


def unsubscribe_url(subscriber: Subscriber) -> str:
    return external_url("newsletter.unsubscribe", token=_serializer().dumps({"s": subscriber.id, "e": subscriber.email}))


def read_unsubscribe_token(token: str) -> Subscriber:
    from participation.notifications.services import BadUnsubscribeLink

    try:
        data = _serializer().loads(token, max_age=current_app.config.get("UNSUBSCRIBE_LINK_DAYS", 365) * 86400)
    except SignatureExpired:
        raise BadUnsubscribeLink(_("Ce lien de désinscription a expiré : rien n'a été modifié.")) from None
    except BadSignature:
        raise BadUnsubscribeLink(_("Ce lien de désinscription n'est pas valide (il a peut-être été tronqué ou modifié) : rien n'a été modifié.")) from None
    subscriber = db.session.get(Subscriber, data.get("s")) if isinstance(data, dict) and isinstance(data.get("s"), int) else None
    if subscriber is None or subscriber.email != data.get("e"):
        raise BadUnsubscribeLink(_("Cet abonnement n'existe plus : rien n'a été modifié."))
    return subscriber


def unsubscribe_subscriber(subscriber: Subscriber, *, source: str, record_it: bool = True) -> bool:
    """End a subscription (kept with its date, to count unsubscriptions per issue); returns whether it changed."""
    if subscriber.unsubscribed_at is not None:
        return False
    subscriber.unsubscribed_at = utcnow()
    if record_it:
        db.session.add(Unsubscription(user_id=subscriber.user_id, email=subscriber.email, category=Category.newsletter, source=source))
    record("newsletter.unsubscribed", subscriber, None, {"source": source})
    return True


# Issues ------------------------------------------------------------------------


def item_choices(limit: int = 10) -> dict[str, list[tuple[int, str]]]:
    """What an issue may point to: latest articles, open consultations, next events, published opinions, open questionnaires."""
    from participation.events.models import Event, EventState
    from participation.forums.models import Consultation, ConsultationState
    from participation.news.models import Article, ArticleState
    from participation.referrals.models import Opinion, OpinionState, Referral
    from participation.surveys.models import Access, Questionnaire, SurveyState

    now = utcnow()
    return {
        "article": _pairs(db.session.execute(sa.select(Article.id, Article.title).where(Article.state == ArticleState.published)
                                           .order_by(Article.published_at.desc()).limit(limit)).all()),
        "consultation": _pairs(db.session.execute(sa.select(Consultation.id, Consultation.title).where(Consultation.state == ConsultationState.open)
                                                .order_by(Consultation.closes_at).limit(limit)).all()),
        "event": _pairs(db.session.execute(sa.select(Event.id, Event.title).where(Event.state == EventState.published, Event.starts_at > now)
                                         .order_by(Event.starts_at).limit(limit)).all()),
        "opinion": _pairs(db.session.execute(sa.select(Referral.id, Referral.subject).join(Opinion, Opinion.referral_id == Referral.id)
                                           .where(Opinion.state == OpinionState.published)
                                           .order_by(Opinion.published_at.desc()).limit(limit)).all()),
        # Open to anyone or to account holders (a panel's questionnaire is reached by invitation only).
        "questionnaire": _pairs(db.session.execute(sa.select(Questionnaire.id, Questionnaire.title).where(
            Questionnaire.state == SurveyState.open, Questionnaire.access != Access.invitation)
            .order_by(Questionnaire.closes_at.is_(None), Questionnaire.closes_at, Questionnaire.id).limit(limit)).all()),
    }


def _pairs(rows) -> list[tuple[int, str]]:
    return [(ident, title) for ident, title in rows]


def resolve_items(items: list[dict]) -> list[dict]:
    """The items of an issue as shown in the mail and the archive: kind, title, text, link (those gone are left out)."""
    from participation.events.models import Event
    from participation.forums.models import Consultation
    from participation.news.models import Article
    from participation.referrals.models import Referral
    from participation.surveys.models import Questionnaire

    shown = []
    for item in items or []:
        kind, ident = item.get("kind"), item.get("id")
        if kind == "article" and (a := db.session.get(Article, ident)) and a.is_public:
            shown.append({"kind": ITEM_KINDS[kind], "title": a.title, "text": a.summary, "url": external_url("news.show", article_id=a.id)})
        elif kind == "consultation" and (c := db.session.get(Consultation, ident)):
            shown.append({"kind": ITEM_KINDS[kind], "title": c.title, "text": "", "url": external_url("forums.consultation", consultation_id=c.id)})
        elif kind == "event" and (e := db.session.get(Event, ident)):
            from participation.core.dates import format_moment

            shown.append({"kind": ITEM_KINDS[kind], "title": e.title, "text": format_moment(e.starts_at) + (f", {e.place_name}" if e.place_name else ""),
                          "url": external_url("events.show", event_id=e.id)})
        elif kind == "opinion" and (r := db.session.get(Referral, ident)):
            shown.append({"kind": ITEM_KINDS[kind], "title": r.subject, "text": _("L'avis du %(name)s", name=r.council.name),
                          "url": external_url("referrals.opinion", referral_id=r.id)})
        elif kind == "questionnaire" and (q := db.session.get(Questionnaire, ident)) and q.is_public:
            from participation.core.dates import format_day

            text = _("Répondez avant le %(day)s.", day=format_day(q.closes_at)) if q.closes_at else ""
            shown.append({"kind": ITEM_KINDS[kind], "title": q.display_title, "text": text,
                          "url": external_url("surveys.show", questionnaire_id=q.id)})
    return shown


def save_issue(issue: Issue | None, *, subject: str, intro: str, items: list[dict], audience_all: bool, communes=(), themes=(), actor) -> Issue:
    require(actor, "news.manage")
    subject, intro = (subject or "").strip(), (intro or "").strip()
    if issue is not None and issue.state != IssueState.draft:
        raise ValidationError(_("Seule une lettre en brouillon se modifie : annulez d'abord son envoi."))
    if not subject:
        raise ValidationError(_("Donnez un objet à la lettre."), field="subject")
    if not intro and not items:
        raise ValidationError(_("La lettre est vide : écrivez une introduction ou choisissez des contenus."), field="intro")
    if not audience_all and not communes and not themes:
        raise ValidationError(_("Choisissez à qui l'envoyer : tous les abonnés, ou des communes ou des thèmes."), field="audience_all")
    created = issue is None
    if created:
        issue = Issue(created_by_id=getattr(actor, "id", None), state=IssueState.draft)
        db.session.add(issue)
    issue.subject, issue.intro, issue.items = subject[:200], intro, [{"kind": i["kind"], "id": int(i["id"])} for i in items if i.get("kind") in ITEM_KINDS]
    issue.audience_all = bool(audience_all)
    issue.communes, issue.themes = ([], []) if audience_all else (list(communes), list(themes))
    db.session.flush()
    record("newsletter_issue.created" if created else "newsletter_issue.edited", issue, actor)
    return issue


def audience_query(issue: Issue):
    """The active subscribers an issue goes to."""
    query = sa.select(Subscriber).where(Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None))
    if not issue.audience_all:
        commune_ids = sa.select(issue_communes.c.commune_id).where(issue_communes.c.issue_id == issue.id)
        theme_ids = sa.select(issue_themes.c.theme_id).where(issue_themes.c.issue_id == issue.id)
        query = query.where(sa.or_(
            Subscriber.id.in_(sa.select(subscriber_communes.c.subscriber_id).where(subscriber_communes.c.commune_id.in_(commune_ids))),
            Subscriber.id.in_(sa.select(subscriber_themes.c.subscriber_id).where(subscriber_themes.c.theme_id.in_(theme_ids))),
        ))
    return query


def audience_size(issue: Issue) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(audience_query(issue).subquery())) or 0


def schedule_issue(issue: Issue, *, send_at: datetime, actor) -> None:
    if send_at is None or send_at <= utcnow():
        raise ValidationError(_("Choisissez une date d'envoi à venir."), field="send_at")
    if not issue.intro and not issue.items:
        raise ValidationError(_("La lettre est vide."))
    if audience_size(issue) == 0:
        raise ValidationError(_("Aucun abonné ne correspond à ce public : la lettre ne partirait à personne."), field="send_at")
    require(actor, "news.manage", issue)
    issue.send_at = send_at
    ISSUE_WORKFLOW.apply(issue, "schedule", actor=actor, data={"send_at": send_at.isoformat()})


def cancel_issue(issue: Issue, *, actor, now: datetime | None = None) -> None:
    """A scheduled issue can be cancelled until its hour; it goes back to draft."""
    if issue.state == IssueState.scheduled and issue.send_at <= (now or utcnow()):
        raise ValidationError(_("L'heure d'envoi est passée : la lettre part déjà."))
    ISSUE_WORKFLOW.apply(issue, "cancel", actor=actor)


def render_issue(issue: Issue, *, unsubscribe: str | None, items: list[dict] | None = None) -> tuple[str, str]:
    """The text and HTML of an issue's mail (the archive shows the same content)."""
    items = resolve_items(issue.items) if items is None else items
    context = {"issue": issue, "items": items, "newsletter_unsubscribe_url": unsubscribe,
               "archive_url": external_url("newsletter.issue", issue_id=issue.id)}
    return render_template("mail/news/issue.txt", **context), render_template("mail/news/issue.html", subject=issue.subject, **context)


def send_test(issue: Issue, *, actor) -> OutboxMail | None:
    """The issue as subscribers will get it, to the staff member's own address."""
    require(actor, "news.manage", issue)
    text, html = render_issue(issue, unsubscribe=None)
    return _queue(actor.email, _("[Essai] %(subject)s", subject=issue.subject), text, html, f"newsletter.test:{issue.id}:{utcnow().timestamp()}", user=actor)


def _queue(to: str, subject: str, text: str, html: str, key: str, *, user=None, unsubscribe: str | None = None) -> OutboxMail | None:
    mail = OutboxMail(recipient=to, user_id=getattr(user, "id", None), subject=subject[:250], body_text=text, body_html=html,
                      template="news/issue", dedup_key=key,
                      headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"} if unsubscribe else None)
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except sa.exc.IntegrityError:
        return None
    return mail


def send_due(now: datetime | None = None, *, batch_size: int | None = None, budget_seconds: float | None = None) -> int:
    """Send the issues whose hour has come, a batch of subscribers at a time, each batch committed; returns mails queued."""
    config = current_app.config
    now = now or utcnow()
    batch_size = batch_size or config.get("NEWSLETTER_BATCH_SIZE", 500)
    budget = budget_seconds if budget_seconds is not None else config.get("DIGEST_BUDGET_SECONDS", 20)
    started = clock.monotonic()
    for issue in db.session.scalars(sa.select(Issue).where(Issue.state == IssueState.scheduled, Issue.send_at <= now).order_by(Issue.id)).all():
        ISSUE_WORKFLOW.apply(issue, "start_sending", actor=SYSTEM)
    db.session.commit()
    begin_writing()
    queued = 0
    for issue in db.session.scalars(sa.select(Issue).where(Issue.state == IssueState.sending).order_by(Issue.id)).all():
        # Rendered once per issue; each mail only gets its own unsubscribe link.
        text, html = render_issue(issue, unsubscribe=LINK_PLACEHOLDER)
        while True:
            done = sa.select(IssueDelivery.subscriber_id).where(IssueDelivery.issue_id == issue.id, IssueDelivery.subscriber_id.is_not(None))
            batch = db.session.execute(
                audience_query(issue).with_only_columns(Subscriber.id, Subscriber.email)
                .where(Subscriber.id.not_in(done)).order_by(Subscriber.id).limit(batch_size)
            ).all()
            if not batch:
                issue.sent_at = now
                ISSUE_WORKFLOW.apply(issue, "finish", actor=SYSTEM, data={"deliveries": delivery_count(issue)})
                db.session.commit()
                begin_writing()
                break
            try:
                queued += _queue_batch(issue, batch, text, html)
                db.session.commit()
            except sa.exc.IntegrityError:
                # Another worker queued some of these at the same moment: its rows stand, this batch is dropped.
                db.session.rollback()
                return queued
            begin_writing()
            if clock.monotonic() - started > budget:
                return queued
    return queued


LINK_PLACEHOLDER = "https://lien-de-desinscription.invalid/"


def _queue_batch(issue: Issue, batch, text: str, html: str) -> int:
    """One outbox mail and one delivery row per subscriber of the batch, inserted in two statements."""
    mails = []
    for subscriber_id, email in batch:
        link = external_url("newsletter.unsubscribe", token=_serializer().dumps({"s": subscriber_id, "e": email}))
        mails.append(OutboxMail(
            recipient=email, subject=issue.subject[:250], template="news/issue", dedup_key=f"newsletter:{issue.id}:{subscriber_id}",
            body_text=text.replace(LINK_PLACEHOLDER, link), body_html=html.replace(LINK_PLACEHOLDER, link),
            headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        ))
    db.session.add_all(mails)
    db.session.flush()
    db.session.add_all([IssueDelivery(issue_id=issue.id, subscriber_id=subscriber_id, mail_id=mail.id)
                        for (subscriber_id, _unused), mail in zip(batch, mails, strict=True)])
    db.session.flush()
    return len(mails)


def delivery_count(issue: Issue) -> int:
    return db.session.scalar(sa.select(sa.func.count(IssueDelivery.id)).where(IssueDelivery.issue_id == issue.id)) or 0


def issue_counts(issue_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per issue: queued, sent, failed, and subscribers who unsubscribed since it went out — two queries for any number of issues."""
    counts = {i: {"queued": 0, "sent": 0, "failed": 0, "pending": 0, "unsubscribed": 0} for i in issue_ids}
    if not issue_ids:
        return counts
    rows = db.session.execute(
        sa.select(IssueDelivery.issue_id, OutboxMail.status, sa.func.count(IssueDelivery.id))
        .outerjoin(OutboxMail, OutboxMail.id == IssueDelivery.mail_id)
        .where(IssueDelivery.issue_id.in_(issue_ids)).group_by(IssueDelivery.issue_id, OutboxMail.status)
    ).all()
    for issue_id, status, n in rows:
        counts[issue_id]["queued"] += n
        key = {MailStatus.sent: "sent", MailStatus.failed: "failed", MailStatus.pending: "pending"}.get(status)
        if key:
            counts[issue_id][key] += n
    unsubscribed = db.session.execute(
        sa.select(IssueDelivery.issue_id, sa.func.count(IssueDelivery.id))
        .join(Subscriber, Subscriber.id == IssueDelivery.subscriber_id)
        .where(IssueDelivery.issue_id.in_(issue_ids), Subscriber.unsubscribed_at.is_not(None), Subscriber.unsubscribed_at >= IssueDelivery.queued_at)
        .group_by(IssueDelivery.issue_id)
    ).all()
    for issue_id, n in unsubscribed:
        counts[issue_id]["unsubscribed"] = n
    return counts
