"""Demo events, dated from today so that the demo stays alive: workshops on weekday
evenings and Saturday mornings, never on a public holiday (core/demo_dates.py)."""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa

from participation.accounts.models import User
from participation.core import outbox
from participation.core.demo_dates import evening, saturday_morning
from participation.core.permissions import SYSTEM
from participation.events import services
from participation.events.models import QuestionKind
from participation.extensions import db
from participation.territory.models import Commune, Theme


def load_events_demo() -> None:
    themes = {t.name: t for t in db.session.scalars(sa.select(Theme))}
    communes = {c.name: c for c in db.session.scalars(sa.select(Commune))}
    agent = db.session.scalar(sa.select(User).where(User.email == "agent@demo.example"))
    resident = db.session.scalar(sa.select(User).where(User.email == "habitante@demo.example"))
    actor = agent or SYSTEM

    def event(title, starts_at, hours, *, theme, commune, publish=True, **values):
        item = services.create_event(
            {"title": title, "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=hours), **values},
            themes=[themes[t] for t in theme if t in themes], communes=[communes[c] for c in commune if c in communes], actor=actor,
        )
        if publish:
            services.publish_event(item, actor=actor)
        return item

    cycling = event(
        "Atelier « Vélo au quotidien » : quels itinéraires sécurisés ?", evening(9), 2, theme=["Mobilités"], commune=["Loirande"],
        description="Carte en main, dessinons ensemble les itinéraires cyclables à sécuriser en priorité.\n\n"
                    "Atelier ouvert à toutes et à tous, cyclistes ou non.",
        place_name="Maison des associations", address="12 rue des Tilleuls, 37910 Loirande",
        venue_accessibility="Salle de plain-pied, boucle magnétique, parking vélo couvert.", capacity=30, max_guests=1,
    )
    services.add_question(cycling, label="Vous déplacez-vous à vélo ?", kind=QuestionKind.choice,
                          choices="Tous les jours\nDe temps en temps\nJamais", required=False, actor=actor)
    meeting = event(
        "Rencontres de la vie associative", saturday_morning(24, time(9, 0)), 8, theme=["Culture et sport", "Cohésion sociale"], commune=["Villebrune"],
        description="La journée annuelle des associations du territoire : ateliers, tables rondes, forum des bénévoles.",
        place_name="Halle des sports", address="Avenue du Stade, 37920 Villebrune",
        venue_accessibility="Accès de plain-pied ; interprète en langue des signes sur demande.", capacity=200, max_guests=2,
        requires_account=False,
    )
    services.add_question(meeting, label="Nom de votre association", kind=QuestionKind.text, choices=None, required=False, actor=actor)
    services.add_question(meeting, label="Déjeunerez-vous sur place ?", kind=QuestionKind.yesno, choices=None, required=True, actor=actor)
    full = event(
        "Balade urbaine : le quartier de la gare demain", saturday_morning(5, time(10, 0)), 2, theme=["Urbanisme et habitat"], commune=["Loirande"],
        place_name="Parvis de la gare", address="Place de la Gare, 37910 Loirande", capacity=3,
        promotion_needs_confirmation=True, promotion_hours=48,
    )
    event("Réunion d'information : le plan local d'urbanisme intercommunal", evening(3, time(19, 0)), 2, theme=["Urbanisme et habitat"],
          commune=["Saint-Aubin-des-Prés", "Montclair-sur-Loire"], place_name="Salle du conseil",
          address="Mairie, 37910 Saint-Aubin-des-Prés", online_url="https://visio.demo.example/plui")
    event("Forum citoyen sur la transition énergétique", evening(40), 3, theme=["Transition écologique"], commune=[],
          online_url="https://visio.demo.example/forum-energie", capacity=500)
    event("Atelier jeunesse (en préparation)", saturday_morning(50, time(10, 0)), 2, theme=["Jeunesse"], commune=["Bellerive"], publish=False,
          place_name="Espace jeunes", capacity=25)

    people = [
        services.register(full, actor=SYSTEM, name=name, email=f"{slug}@demo.example") for name, slug in
        (("Marc Olivier", "marc"), ("Inès Haddad", "ines"), ("Paul Lemaire", "paul"), ("Sofia Costa", "sofia"))
    ]
    for registration in people:
        if registration.email_confirmed_at is None:
            services.confirm_address(registration)
    if resident is not None:
        # The resident's own registrations are the demo's present: their confirmations are mailed.
        with outbox.quiet(False):
            services.register(cycling, actor=resident, answers={str(cycling.questions[0].id): "De temps en temps"})
            services.register(full, actor=resident)
    for i in range(12):
        services.register(meeting, actor=SYSTEM, name=f"Bénévole {i + 1}", email=f"benevole{i + 1}@demo.example",
                          answers={str(meeting.questions[1].id): "oui" if i % 3 else "non"})
