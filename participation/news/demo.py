"""Demo news, newsletter subscribers, a sent issue and notification preferences."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.news import newsletter, services
from participation.news.models import Issue, Subscriber
from participation.notifications.models import Category, Delivery, DigestSchedule
from participation.notifications.services import set_preference
from participation.territory.models import Commune, Theme

ARTICLES = [
    ("Le plan vélo intercommunal entre dans sa phase de concertation",
     "Trois itinéraires sont proposés : donnez votre avis jusqu'à la fin du mois.",
     "Après un an d'études, l'Agglomération soumet **trois itinéraires cyclables** à la concertation.\n\n"
     "- la liaison Loirande – Villebrune le long du canal ;\n- la traversée de Saint-Aubin-des-Prés ;\n- la boucle des Essarts-Verts.\n\n"
     "Chacun peut contribuer en ligne ou lors des ateliers.", ["Mobilités"], ["Loirande", "Villebrune"], 12),
    ("Le conseil de développement rend son avis sur le projet de territoire",
     "Vingt-trois recommandations, adoptées à l'unanimité moins deux abstentions.",
     "Le conseil de développement a adopté son avis sur le projet de territoire. La collectivité y répondra, "
     "recommandation par recommandation, dans les trois mois.", ["Cohésion sociale"], [], 6),
    ("Budget participatif : les projets lauréats",
     "Douze projets d'habitants seront réalisés cette année dans neuf communes.",
     "Merci aux 2 340 votants ! Les projets retenus vont du jardin partagé à l'éclairage d'un terrain de sport.",
     ["Culture et sport", "Transition écologique"], ["Bellerive", "Champfleury"], 2),
]


def load_news_demo() -> None:
    themes = {t.name: t for t in db.session.scalars(sa.select(Theme))}
    communes = {c.name: c for c in db.session.scalars(sa.select(Commune))}
    agent = db.session.scalar(sa.select(User).where(User.email == "agent@demo.example"))
    resident = db.session.scalar(sa.select(User).where(User.email == "habitante@demo.example"))
    actor = agent or SYSTEM
    now = utcnow()
    published = []
    for title, summary, body, theme_names, commune_names, days_ago in ARTICLES:
        article = services.save_article(None, title=title, summary=summary, body=body,
                                        themes=[themes[t] for t in theme_names if t in themes],
                                        communes=[communes[c] for c in commune_names if c in communes], actor=actor)
        services.publish(article, actor=actor, now=now - timedelta(days=days_ago))
        published.append(article)
    draft = services.save_article(None, title="Assises de la participation : réservez la date",
                                  summary="Rendez-vous à l'automne pour le bilan annuel de la participation.",
                                  body="Le programme sera publié prochainement.", themes=[], communes=[], actor=actor)
    services.schedule(draft, publish_at=now + timedelta(days=3), actor=actor)

    # Subscribers: the resident's own account, and addresses without an account.
    loirande = communes.get("Loirande")
    if resident is not None:
        newsletter.subscribe(resident.email, communes=[loirande] if loirande else [], themes=[themes["Mobilités"]] if "Mobilités" in themes else [],
                             consent=True, actor=resident)
        set_preference(resident, Category.consultations, Delivery.daily, actor=resident)
        set_preference(resident, Category.news, Delivery.each, actor=resident)
        db.session.add(DigestSchedule(user_id=resident.id, hour=18, weekday=5))
    for i, name in enumerate(["Loirande", "Villebrune", "Bellerive", "Loirande", "Champfleury"], start=1):
        db.session.add(Subscriber(email=f"abonne{i}@demo.example", consent_source="formulaire", consent_at=now - timedelta(days=40 - i),
                                  confirmed_at=now - timedelta(days=40 - i), communes=[communes[name]] if name in communes else []))
    db.session.add(Subscriber(email="pas-encore-confirme@demo.example", consent_source="formulaire", consent_at=now - timedelta(days=1)))
    db.session.flush()

    # A sent issue, in the archive, and a draft ready to schedule.
    issue = newsletter.save_issue(None, subject="La lettre de la participation — n° 1", intro="Bonjour,\n\nVoici les nouvelles du mois.",
                                  items=[{"kind": "article", "id": a.id} for a in published], audience_all=True, actor=actor)
    newsletter.schedule_issue(issue, send_at=now + timedelta(minutes=1), actor=actor)
    newsletter.send_due(now=now + timedelta(minutes=2))
    newsletter.save_issue(None, subject="La lettre de la participation — n° 2", intro="Les rendez-vous de la rentrée.",
                          items=[{"kind": "article", "id": published[0].id}], audience_all=False,
                          communes=[loirande] if loirande else [], themes=[], actor=actor)
    assert db.session.scalar(sa.select(sa.func.count(Issue.id))) == 2
