"""Demo councils: a conseil de développement with members, sittings and minutes,
and a conseil citoyen whose residents were drawn by lot. Dates are relative to today."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from participation.accounts import services as accounts
from participation.accounts.models import User
from participation.core import outbox
from participation.core.demo_dates import evening, saturday_morning
from participation.core.permissions import SYSTEM
from participation.councils import draws, extras, services, sittings
from participation.councils.models import CollegeKind, CouncilKind, MemberRole
from participation.extensions import db
from participation.territory.models import Commune, Neighbourhood

CDD_SLUG = "conseil-de-developpement-du-val-de-loirande"

MEMBERS = [
    # (display name, email, gender, birth year, college index, role, organisation)
    ("Hélène Marchais", "presidente@demo.example", "woman", 1962, 0, MemberRole.president, "Chambre des métiers"),
    ("Karim Ouali", "karim.ouali@demo.example", "man", 1979, 0, MemberRole.secretary, "Association Vélo Loirande"),
    ("Sophie Lebrun", "sophie.lebrun@demo.example", "woman", 1991, 0, MemberRole.bureau, "Maison des solidarités"),
    ("Thomas Girard", "conseiller@demo.example", "man", 1985, 1, MemberRole.member, None),
    ("Aïcha Benmoussa", "aicha.benmoussa@demo.example", "woman", 2001, 1, MemberRole.member, None),
    ("Jean-Pierre Roux", "jp.roux@demo.example", "man", 1952, 1, MemberRole.member, None),
]


def _user(name: str, email: str, password: str) -> User:
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    return existing or accounts.create_user(email=email, password=password, display_name=name)


def load_councils_demo(password: str) -> None:
    staff = db.session.scalar(sa.select(User).where(User.email == "agent@demo.example"))
    today = date.today()
    cdd = services.save_council(
        None, name="Conseil de développement du Val de Loirande", kind=CouncilKind.development, manager=staff,
        purpose="Le conseil de développement réunit des habitants et des acteurs du territoire. Il donne son avis sur le **projet "
                "de territoire**, les documents de planification et les politiques de développement durable de l'agglomération, "
                "et peut se saisir de toute question.",
        rules="## Article 1 — Composition\n\nLe conseil compte deux collèges de vingt sièges.\n\n## Article 2 — Séances\n\n"
              "Les membres sont convoqués sept jours avant chaque séance. Le quorum est de la moitié des membres plus un ; "
              "chaque membre peut détenir une procuration.",
        mandate_start=today - timedelta(days=200), mandate_end=today + timedelta(days=25), actor=SYSTEM,
    )
    actors = services.add_college(cdd, name="Collège des acteurs socio-économiques", seats=20, actor=SYSTEM)
    residents = services.add_college(cdd, name="Collège des habitants", seats=20, actor=SYSTEM)
    services.change_council_state(cdd, "publish", actor=SYSTEM)
    colleges = [actors, residents]
    seats = []
    for name, email, gender, year, college, role, organisation in MEMBERS:
        person = _user(name, email, password)
        seat = services.invite_member(cdd, college=colleges[college], name=name, email=email, role=role, organisation=organisation,
                                      actor=SYSTEM)
        services.accept_invitation(seat, gender=gender, birth_year=year, actor=person)
        seats.append(seat)
    # An application waiting for staff, and an invitation not yet answered.
    applicant = _user("Louis Fabre", "louis.fabre@demo.example", password)
    services.apply_to_council(cdd, college=residents, motivation="Cycliste quotidien, je voudrais travailler sur les mobilités.",
                              gender="man", birth_year=1996, actor=applicant)
    services.invite_member(cdd, college=actors, name="Mireille Caron", email="mireille.caron@demo.example", organisation="Office de tourisme",
                           actor=SYSTEM)

    group = extras.create_group(cdd, name="Mobilités du quotidien", purpose="Préparer l'avis sur le plan de mobilité.", lead=seats[1],
                                actor=SYSTEM)
    for s in seats[3:5]:
        extras.add_group_member(group, s, actor=SYSTEM)

    # A past plenary with its published minutes, the next one (convened), a bureau meeting, a group meeting.
    # Sittings are held at 18 h 30 on a working evening; only the next plenary's convocation is mailed.
    past = sittings.create_sitting(cdd, title="Séance plénière d'installation", starts_at=evening(1), ends_at=None,
                                   place="Hôtel d'agglomération, salle du conseil", actor=SYSTEM)
    sittings.add_agenda_item(past, title="Installation du conseil et élection de la présidence", actor=SYSTEM)
    sittings.add_agenda_item(past, title="Adoption du règlement intérieur", actor=SYSTEM)
    sittings.publish_sitting(past, actor=SYSTEM)
    past.starts_at = evening(-40)
    upcoming = sittings.create_sitting(cdd, title="Séance plénière : projet de territoire", place="Hôtel d'agglomération, salle du conseil",
                                       starts_at=evening(5), actor=SYSTEM)
    sittings.add_agenda_item(upcoming, title="Approbation du compte rendu de la séance d'installation", actor=SYSTEM)
    sittings.add_agenda_item(upcoming, title="Saisine sur le projet de territoire : méthode de travail", actor=SYSTEM)
    with outbox.quiet(False):
        sittings.publish_sitting(upcoming, actor=SYSTEM)
    for s in seats[:3]:
        sittings.answer_convocation(upcoming, answer="present", actor=s.user)
    sittings.answer_convocation(upcoming, answer="represented", proxy=seats[0], actor=seats[3].user)
    minutes = sittings.save_minutes(past, body="Le conseil est installé. **Hélène Marchais** est élue présidente.\n\n"
                                               "Le règlement intérieur est adopté à l'unanimité des présents.", actor=SYSTEM)
    sittings.submit_minutes(minutes, actor=SYSTEM)
    sittings.approve_minutes(minutes, at_sitting=upcoming, actor=SYSTEM)
    sittings.publish_minutes(minutes, actor=SYSTEM)
    bureau = sittings.create_sitting(cdd, kind="bureau", title="Réunion du bureau", place="Salle 2, hôtel d'agglomération",
                                     starts_at=evening(12), actor=SYSTEM)
    sittings.add_agenda_item(bureau, title="Préparation de la plénière", actor=SYSTEM)
    sittings.publish_sitting(bureau, actor=SYSTEM)

    extras.create_training(cdd, title="Lire un document d'urbanisme", description="Une demi-journée avec le service de l'aménagement.",
                           starts_at=saturday_morning(20), ends_at=None,
                           place="Salle 3, hôtel d'agglomération", capacity=12, actor=SYSTEM)
    budget = extras.set_budget(cdd, year=today.year, allocation_cents=1_500_000, actor=SYSTEM)
    extras.add_spending(budget, spent_on=min(today, date(today.year, 1, 15)), label="Location de salle pour la séance d'installation",
                        amount_cents=35_000, actor=SYSTEM)

    # A conseil citoyen, its residents drawn by lot from a social landlord's list.
    loirande = db.session.scalar(sa.select(Commune).where(Commune.insee_code == "37901"))
    quarter = Neighbourhood(name="Les Tilleuls", qpv_code="QN99901M", commune_id=loirande.id)
    db.session.add(quarter)
    db.session.flush()
    cc = services.save_council(None, name="Conseil citoyen des Tilleuls", kind=CouncilKind.citizen, neighbourhood=quarter, manager=staff,
                               purpose="Le conseil citoyen du quartier des Tilleuls participe au contrat de ville.",
                               mandate_start=today - timedelta(days=30), mandate_end=today + timedelta(days=3 * 365), actor=SYSTEM)
    drawn = services.add_college(cc, name="Collège des habitants", seats=8, kind=CollegeKind.drawn_residents, actor=SYSTEM)
    services.add_college(cc, name="Collège des associations et acteurs locaux", seats=6, kind=CollegeKind.local_actors, actor=SYSTEM)
    services.change_council_state(cc, "publish", actor=SYSTEM)
    lines = ["nom;courriel;genre;annee_naissance;commune"]
    for i in range(30):
        lines.append(f"Habitant·e {i + 1};habitant{i + 1}@demo.example;{'F' if i % 2 else 'H'};{1950 + (i * 7) % 55};37901")
    draws.import_volunteers(cc, "\n".join(lines).encode(), source_label="Bailleur Val Habitat", actor=SYSTEM)
    draw = draws.prepare_draw(cc, college=drawn, title="Tirage des habitants", seats=8,
                              quotas={"gender": {"woman": 4, "man": 4}}, actor=SYSTEM)
    draws.perform_draw(draw, actor=SYSTEM, seed="5f1c0d7e2b9a4c38a61e0f52d3b7c9e4")
