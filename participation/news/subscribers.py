"""What news events cause: followers of a theme and people of a commune hear of a new article."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.extensions import db
from participation.news.models import Subscriber, ThemeFollower
from participation.notifications.models import Category
from participation.notifications.services import UNSUBSCRIBE_HOOKS, tell_all
from participation.pages.privacy import Processing, register_processing
from flask_babel import lazy_gettext as _l


@subscribe("article.published")
def tell_readers(event: DomainEvent) -> None:
    from participation.news.services import audience

    article = event.subject
    about = ", ".join([c.name for c in article.communes] + [t.name for t in article.themes])[:200] or None
    tell_all(audience(article), Category.news, _l("Nouvel article : %(title)s", title=article.title), body=article.summary,
             url=f"/actualites/{article.id}", event=event, about=about, dedup_key=f"article.published:{article.id}")


@subscribe("user.closed")
def forget_reader(event: DomainEvent) -> None:
    db.session.execute(sa.delete(ThemeFollower).where(ThemeFollower.user_id == event.subject_id))
    db.session.execute(sa.delete(Subscriber).where(Subscriber.user_id == event.subject_id))


def _end_subscription(user) -> bool:
    """Turning « la lettre d'information » off from a mail ends the account's subscription."""
    from participation.news.newsletter import unsubscribe_subscriber

    subscriber = db.session.scalar(sa.select(Subscriber).where(sa.or_(Subscriber.user_id == user.id, Subscriber.email == user.email)))
    return subscriber is not None and unsubscribe_subscriber(subscriber, source="preferences", record_it=False)


UNSUBSCRIBE_HOOKS[Category.newsletter] = _end_subscription


@personal_data.section("lettre_d_information")
def newsletter_section(user) -> dict | None:
    """The subscription, the consent given (date and source), the themes followed."""
    subscriber = db.session.scalar(sa.select(Subscriber).where(sa.or_(Subscriber.user_id == user.id, Subscriber.email == user.email)))
    themes = db.session.scalars(sa.select(ThemeFollower).where(ThemeFollower.user_id == user.id).order_by(ThemeFollower.id)).all()
    data = {"themes_suivis": [{"theme_id": f.theme_id, "depuis": f.created_at.isoformat()} for f in themes]}
    if subscriber is not None:
        data["abonnement"] = {
            "adresse": subscriber.email,
            "consentement_le": subscriber.consent_at.isoformat(),
            "consentement_source": subscriber.consent_source,
            "confirme_le": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
            "desinscrit_le": subscriber.unsubscribed_at.isoformat() if subscriber.unsubscribed_at else None,
            "communes": [c.name for c in subscriber.communes],
            "themes": [t.name for t in subscriber.themes],
        }
    return data


@personal_data.summary("lettre_d_information")
def newsletter_consent(user) -> tuple[str, list[str]] | None:
    """The consent given to the newsletter, said on « Mes données »: when, how, and whether it still holds."""
    from flask_babel import gettext as _

    from participation.core.dates import format_day

    subscriber = db.session.scalar(sa.select(Subscriber).where(sa.or_(Subscriber.user_id == user.id, Subscriber.email == user.email)))
    if subscriber is None:
        return None
    source = {"compte": _("depuis votre compte"), "formulaire": _("par le formulaire d'abonnement")}.get(
        subscriber.consent_source, subscriber.consent_source)
    sentences = [_("Vous avez consenti à recevoir la lettre d'information le %(day)s, %(source)s, à l'adresse %(email)s.",
                   day=format_day(subscriber.consent_at), source=source, email=subscriber.email)]
    if subscriber.unsubscribed_at is not None:
        sentences.append(_("Vous vous êtes désinscrit·e le %(day)s : la lettre ne vous est plus envoyée.", day=format_day(subscriber.unsubscribed_at)))
    elif subscriber.confirmed_at is None:
        sentences.append(_("Votre adresse n'est pas encore confirmée : la lettre vous sera envoyée une fois le lien du courriel suivi."))
    else:
        sentences.append(_("Vous pouvez retirer ce consentement à tout moment depuis le lien de désinscription de chaque lettre "
                           "ou vos préférences de notification."))
    return _("Lettre d'information"), sentences


register_processing(Processing(
    name=_l("Lettre d'information"),
    purpose=_l("Envoyer la lettre d'information de la collectivité aux personnes qui l'ont demandée ; jamais à d'autres fins."),
    legal_basis=_l("Consentement (article 6-1-a du RGPD), recueilli avec sa date et sa source ; double confirmation pour une adresse sans compte."),
    data=_l("Adresse électronique, communes et thèmes choisis, date et source du consentement, date de désinscription."),
    recipients=_l("Les agents chargés de la communication."),
    retention=lambda c: _l("Jusqu'à la désinscription ; une adresse non confirmée est effacée au bout de 7 jours."),
))
