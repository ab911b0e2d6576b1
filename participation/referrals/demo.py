"""Demo referrals on the development council: a saisine obligatoire being drafted, an auto-saisine
proposed, and an opinion adopted, published, transmitted and partly answered; the council's activity report
for that year, published, and a draft for the citizen council. Dates are relative to today."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from participation.core.dates import utc_to_local
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.councils.extras import add_group_member, create_group
from participation.councils.sittings import mark_attendance
from participation.councils.demo import CDD_SLUG
from participation.councils.models import Council, Membership, MembershipState, Sitting, WorkingGroup
from participation.extensions import db
from participation.referrals import report, services
from participation.referrals.models import RecommendationStatus, ReferralKind
from participation.territory.models import Department, Theme

TILLEULS_SLUG = "conseil-citoyen-des-tilleuls"


def _department(code: str) -> Department:
    return db.session.scalar(sa.select(Department).where(Department.code == code))


def _theme(name: str) -> Theme:
    return db.session.scalar(sa.select(Theme).where(Theme.name == name))


def load_referrals_demo() -> None:
    council = db.session.scalar(sa.select(Council).where(Council.slug == CDD_SLUG))
    if council is None:
        return
    today = date.today()
    seats = {m.user.email: m for m in db.session.scalars(
        sa.select(Membership).where(Membership.council_id == council.id, Membership.state == MembershipState.active)
        .order_by(Membership.id))}
    mobility_group = db.session.scalar(sa.select(WorkingGroup).where(WorkingGroup.council_id == council.id))
    past = db.session.scalar(sa.select(Sitting).where(Sitting.council_id == council.id, Sitting.starts_at < utcnow())
                             .order_by(Sitting.starts_at.desc()))

    # 1. A saisine obligatoire on the projet de territoire, being drafted by a working group that includes the demo council member.
    territory_group = create_group(council, name="Projet de territoire", purpose="Rédiger l'avis sur le projet de territoire.",
                                   lead=seats["sophie.lebrun@demo.example"], actor=SYSTEM)
    for email in ("conseiller@demo.example", "jp.roux@demo.example"):
        add_group_member(territory_group, seats[email], actor=SYSTEM)
    project = services.refer(
        council, kind=ReferralKind.mandatory, subject="Projet de territoire 2026-2032",
        question="Le conseil est invité à donner son avis sur le **projet de territoire** : ses orientations, ses priorités "
                 "et les moyens de son évaluation.",
        act="Projet de territoire 2026-2032 de l'agglomération", referred_by="La présidente de l'agglomération",
        department=_department("DGS"), received_on=today - timedelta(days=30), due_on=today + timedelta(days=60),
        themes=[_theme("Transition écologique"), _theme("Développement économique")], actor=SYSTEM)
    services.assign_group(project, territory_group, actor=SYSTEM)
    opinion = project.opinion
    writer = seats["sophie.lebrun@demo.example"].user
    member = seats["conseiller@demo.example"].user
    first = ("Le conseil de développement salue la démarche de concertation qui a précédé le projet de territoire.\n\n"
             "Il regrette que les communes rurales soient peu présentes dans les orientations.")
    second = ("Le conseil de développement salue la démarche de concertation qui a précédé le projet de territoire.\n\n"
              "Il regrette que les communes rurales et leurs habitants soient trop peu présents dans les orientations.\n\n"
              "Il demande que chaque orientation soit assortie d'indicateurs publics.")
    third = second + "\n\nIl propose d'être associé chaque année à l'évaluation du projet."
    services.save_version(opinion, body=first, note="Première trame", actor=writer)
    services.comment(opinion, body="Pourrait-on citer les communes concernées ?", paragraph=2, actor=member)
    services.save_version(opinion, body=second, note="Communes rurales, indicateurs", actor=member)
    services.comment(opinion, body="D'accord avec l'ajout des indicateurs.", actor=writer)
    services.save_version(opinion, body=third, note="Évaluation annuelle", actor=writer)
    services.comment(opinion, body="Il manque une recommandation sur les mobilités.", paragraph=3,
                     actor=seats["jp.roux@demo.example"].user)
    services.add_recommendation(opinion, text="Associer les communes rurales à chaque orientation.", actor=writer)
    services.add_recommendation(opinion, text="Publier chaque année les indicateurs du projet.", actor=writer)

    # 2. An auto-saisine proposed by a member, waiting for the bureau.
    services.propose(council, subject="L'accès des jeunes au logement",
                     question="Comment l'agglomération peut-elle faciliter le premier logement des 18-25 ans ?",
                     themes=[_theme("Jeunesse"), _theme("Urbanisme et habitat")], actor=seats["aicha.benmoussa@demo.example"].user)

    # 3. An opinion adopted in the past plenary, published, transmitted and partly answered.
    plan = services.refer(
        council, kind=ReferralKind.optional, subject="Plan de mobilité du Val de Loirande",
        question="Quelles priorités le conseil voit-il pour le plan de mobilité ?", act="Plan de mobilité 2026-2036",
        referred_by="Le vice-président chargé des mobilités", department=_department("MOBILITES"),
        received_on=today - timedelta(days=100), due_on=today - timedelta(days=10), themes=[_theme("Mobilités")], actor=SYSTEM)
    services.assign_group(plan, mobility_group, actor=SYSTEM)
    avis = plan.opinion
    lead = seats["karim.ouali@demo.example"].user
    services.save_version(avis, body="Le conseil soutient un plan de mobilité tourné vers les trajets du quotidien.\n\n"
                                     "Il souhaite que les communes de la deuxième couronne soient desservies le soir.", actor=lead)
    services.save_version(avis, body="Le conseil soutient un plan de mobilité tourné vers les trajets du quotidien.\n\n"
                                     "Il souhaite que les communes de la deuxième couronne soient desservies le soir et le week-end.\n\n"
                                     "Il demande un réseau cyclable continu entre les communes.", actor=seats["conseiller@demo.example"].user)
    for text in ("Prolonger les lignes de bus jusqu'à 22 heures en semaine.", "Relier chaque commune au réseau cyclable d'ici 2030.",
                 "Créer un comité d'usagers des transports."):
        services.add_recommendation(avis, text=text, actor=lead)
    services.submit_opinion(avis, actor=lead)
    present = [m.id for m in list(seats.values())[:5]]
    mark_attendance(past, set(present), actor=SYSTEM)
    services.record_vote(avis, sitting=past, votes_for=4, votes_against=0, abstentions=1, present=5, actor=SYSTEM)
    services.publish_opinion(avis, actor=SYSTEM)
    avis.published_at = utcnow() - timedelta(days=38)
    services.transmit(plan, actor=SYSTEM, now=utcnow() - timedelta(days=35))
    mobility = _department("MOBILITES")
    first_rec, second_rec, third_rec = avis.recommendations
    services.set_recommendation_status(first_rec, status=RecommendationStatus.under_study, explanation="Le coût est en cours d'évaluation.",
                                       department=mobility, actor=SYSTEM)
    services.set_recommendation_status(first_rec, status=RecommendationStatus.partly_retained,
                                       explanation="Les lignes 1 et 4 rouleront jusqu'à 22 heures dès la rentrée ; les autres restent à l'étude.",
                                       department=mobility, actor=SYSTEM)
    services.set_recommendation_status(second_rec, status=RecommendationStatus.retained,
                                       explanation="Inscrit au schéma cyclable adopté en conseil communautaire.", department=mobility,
                                       actor=SYSTEM)
    services.set_recommendation_status(third_rec, status=RecommendationStatus.under_study,
                                       explanation="La forme du comité sera discutée avec l'exploitant du réseau.", department=mobility,
                                       actor=SYSTEM)
    services.answer(plan, general_answer="L'agglomération remercie le conseil de développement pour un avis précis, "
                                         "qui a nourri la version du plan soumise à l'enquête publique.", department=mobility, actor=SYSTEM)
    db.session.flush()
    load_reports_demo(council, past)


def load_reports_demo(council: Council, past: Sitting) -> None:
    """The development council's activity report for the year of its past plenary (the mobility opinion's vote), published;
    the citizen council's report of this year, started by staff, its introduction still to write."""
    year = utc_to_local(past.starts_at).year
    published = report.create_report(council, year=year, actor=SYSTEM)
    report.edit_report(
        published, actor=SYSTEM,
        introduction=f"{year} est l'année de l'installation du {council.name}. Ses membres, habitants et acteurs du territoire, "
                     "ont adopté leur règlement intérieur et rendu leur premier avis, sur le **plan de mobilité**.\n\n"
                     "Ce rapport rassemble les saisines reçues, les avis adoptés, la suite que l'agglomération leur donne et la vie "
                     "du conseil : ses séances, ses groupes de travail et ses formations.",
        outlook="Le conseil rendra son avis sur le **projet de territoire** et suivra la mise en œuvre des recommandations "
                "encore à l'étude, dont le comité d'usagers des transports.\n\n"
                "Le taux de présence aux séances plénières reste à améliorer : le bureau proposera des séances en soirée.")
    report.publish_report(published, actor=SYSTEM)
    tilleuls = db.session.scalar(sa.select(Council).where(Council.slug == TILLEULS_SLUG))
    if tilleuls is not None:
        report.create_report(tilleuls, year=report.current_year(), actor=SYSTEM)
    db.session.flush()
