"""Demo plans of the Val de Loirande: its projet de territoire 2025–2035 (3 axes, 8 objectives,
20 actions, 15 indicators measured over three years), its CTG with a COPIL and a COTECH that
met twice, and its pacte de gouvernance after the March 2026 renewal."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.plans import committees, indicators, pact, report, services
from participation.territory.models import Commune, Department, Territory, Theme

RENEWAL = date(2026, 3, 22)

TERRITORY_PROJECT = [
    ("Un territoire qui respire", [
        ("Réduire les émissions des déplacements", [
            ("Relier chaque commune au réseau cyclable", "MOBILITES", "ongoing", 45),
            ("Prolonger les lignes de bus en soirée", "MOBILITES", "done", 100),
            ("Ouvrir trois aires de covoiturage", "MOBILITES", "to_start", 0),
        ]),
        ("Rénover les logements énergivores", [
            ("Guichet unique de la rénovation", "AMENAGEMENT", "ongoing", 60),
            ("Aides aux copropriétés fragiles", "AMENAGEMENT", "postponed", 20),
        ]),
        ("Préserver l'eau et la biodiversité", [
            ("Trame verte et bleue intercommunale", "ECOLOGIE", "ongoing", 30),
            ("Zéro pesticide dans les espaces publics", "ECOLOGIE", "done", 100),
        ]),
    ]),
    ("Un territoire solidaire", [
        ("Rapprocher les services des habitants", [
            ("Deux nouveaux espaces France services", "COHESION", "ongoing", 50),
            ("Bus itinérant de l'accès aux droits", "COHESION", "to_start", 0),
        ]),
        ("Agir avec les quartiers prioritaires", [
            ("Maisons de projets dans les quartiers", "COHESION", "ongoing", 35),
            ("Budget participatif des quartiers", "DEMOPART", "done", 100),
        ]),
        ("Accompagner la jeunesse", [
            ("Conseil intercommunal des jeunes", "DEMOPART", "ongoing", 70),
            ("Logement des apprentis", "AMENAGEMENT", "abandoned", 10),
        ]),
    ]),
    ("Un territoire qui entreprend", [
        ("Soutenir l'économie de proximité", [
            ("Revitaliser les centres-bourgs", "AMENAGEMENT", "ongoing", 40),
            ("Marchés de producteurs locaux", "ECOLOGIE", "done", 100),
            ("Tiers-lieu de Villebrune", "DGS", "ongoing", 55),
        ]),
        ("Associer les habitants aux décisions", [
            ("Charte de la participation", "DEMOPART", "done", 100),
            ("Panel citoyen annuel d'évaluation", "DEMOPART", "ongoing", 25),
            ("Plateforme de participation en ligne", "DEMOPART", "done", 100),
            ("Observatoire public du projet", "DGS", "to_start", 0),
        ]),
    ]),
]

# (objective index, code, name, unit, baseline, targets, values over three years, direction)
INDICATORS = [
    (0, "I-1.1-1", "Part des trajets domicile-travail à vélo", "%", 3.5, {"2030": 7, "2035": 10}, (3.8, 4.4, 5.1), "higher"),
    (0, "I-1.1-2", "Kilomètres d'itinéraires cyclables", "km", 82, {"2030": 160, "2035": 220}, (95, 118, 131), "higher"),
    (0, "I-1.1-3", "Voyages en bus par habitant et par an", "voyages", 21, {"2035": 30}, (22, 23.5, 25), "higher"),
    (1, "I-1.2-1", "Logements rénovés avec l'aide du guichet", "logements", 0, {"2030": 1500, "2035": 3000}, (180, 420, 690), "higher"),
    (1, "I-1.2-2", "Consommation d'énergie des logements", "GWh", 910, {"2035": 750}, (902, 884, 869), "lower"),
    (2, "I-1.3-1", "Linéaire de haies replantées", "km", 0, {"2035": 60}, (4, 11, 19), "higher"),
    (3, "I-2.1-1", "Habitants à moins de 20 minutes d'un espace France services", "%", 71, {"2030": 90}, (74, 80, 83), "higher"),
    (3, "I-2.1-2", "Démarches accompagnées", "démarches", 5200, {"2035": 9000}, (5900, 6700, 7400), "higher"),
    (4, "I-2.2-1", "Projets du budget participatif réalisés", "projets", 0, {"2030": 40}, (6, 14, 23), "higher"),
    (4, "I-2.2-2", "Taux de chômage dans les quartiers prioritaires", "%", 24, {"2035": 18}, (23.5, 22.1, 21.4), "lower"),
    (5, "I-2.3-1", "Jeunes membres du conseil intercommunal", "jeunes", 0, {"2030": 60}, (0, 32, 41), "higher"),
    (6, "I-3.1-1", "Locaux commerciaux vacants en centre-bourg", "%", 14, {"2035": 8}, (13.6, 12.4, 11.9), "lower"),
    (6, "I-3.1-2", "Producteurs présents sur les marchés", "producteurs", 35, {"2030": 60}, (41, 48, 55), "higher"),
    (7, "I-3.2-1", "Participants aux concertations en ligne", "personnes", 800, {"2030": 4000}, (1200, 2300, 3100), "higher"),
    (7, "I-3.2-2", "Recommandations des conseils retenues", "%", 40, {"2030": 60}, (44, 52, 58), "higher"),
]


def _department(code: str) -> Department | None:
    return db.session.scalar(sa.select(Department).where(Department.code == code))


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def load_plans_demo() -> None:
    today = date.today()
    territory = db.session.scalar(sa.select(Territory).limit(1))
    if territory is not None:
        territory.council_renewal_date = RENEWAL
    agent = _user("agent@demo.example")
    admin = _user("admin@demo.example")
    project = _territory_project(today, agent)
    _ctg(today, agent, admin)
    _pact(today, admin)
    db.session.flush()
    del project


def _territory_project(today: date, agent):
    from participation.referrals.models import Recommendation, Referral

    plan = services.save_plan(
        None, actor=SYSTEM, title="Projet de territoire 2025–2035", kind="territory_project", start_year=2025, end_year=2035,
        summary="Le projet de territoire fixe les **orientations de l'agglomération pour dix ans** : un territoire qui respire, "
                "solidaire et qui entreprend. Il a été construit avec les communes, les partenaires et les habitants.",
        signatories="Agglomération du Val de Loirande", partners="Région\nDépartement\nCAF\nÉtat\nChambre de commerce", manager=agent)
    plan.referral_id = db.session.scalar(sa.select(Referral.id).where(Referral.subject == "Projet de territoire 2026-2032"))
    themes = list(db.session.scalars(sa.select(Theme).order_by(Theme.id)))
    communes = list(db.session.scalars(sa.select(Commune).order_by(Commune.insee_code).limit(6)))
    objectives = []
    all_actions = []
    for a, (axis_title, objective_rows) in enumerate(TERRITORY_PROJECT):
        axis = services.add_axis(plan, title=axis_title, actor=SYSTEM)
        for objective_title, action_rows in objective_rows:
            objective = services.add_objective(axis, title=objective_title, actor=SYSTEM)
            objectives.append(objective)
            for n, (title, department, status, progress) in enumerate(action_rows):
                action = services.save_action(
                    None, node=objective, actor=SYSTEM, title=title, lead_department=_department(department),
                    description=f"Action du projet de territoire : {title.lower()}.", partners="Communes concernées",
                    target_public="Tous les habitants", start_date=date(2025, 1 + n * 3, 1), end_date=date(2028 + a, 12, 31),
                    communes=communes[n:n + 2], themes=themes[a:a + 1])
                services.set_funding(action, funder="authority", planned_cents=(150 + 40 * n) * 100_000,
                                     spent_cents=(60 + 35 * n) * 100_000 * (progress // 25 + 1) // 3, actor=SYSTEM)
                if a == 1:
                    services.set_funding(action, funder="state", planned_cents=80 * 100_000, spent_cents=30 * 100_000, actor=SYSTEM)
                services.add_milestone(action, title="Lancement", due_on=date(2025, 6, 30), actor=SYSTEM)
                services.add_milestone(action, title="Premier bilan", due_on=date(2027, 6, 30), actor=SYSTEM)
                if progress:
                    services.complete_milestone(action.milestones[0], done_on=date(2025, 6, 15), actor=SYSTEM)
                _take_status(action, status, progress)
                all_actions.append(action)
    services.change_plan_state(plan, "adopt", actor=SYSTEM, today=date(2025, 3, 20))
    services.change_plan_state(plan, "start", actor=SYSTEM)

    # The council's recommendation retained in the droit de suite is carried by the cycling action.
    retained = db.session.scalar(sa.select(Recommendation).where(Recommendation.text == "Relier chaque commune au réseau cyclable d'ici 2030."))
    if retained is not None and retained.status.value in services.RETAINED:
        services.attach_recommendation(all_actions[0], retained, actor=SYSTEM)

    for objective_index, code, name, unit, baseline, targets, values, direction in INDICATORS:
        indicator = indicators.save_indicator(
            None, plan=plan, actor=SYSTEM, code=code, name=name, node=objectives[objective_index], unit=unit, direction=direction,
            baseline_value=baseline, baseline_date=date(2024, 12, 31), targets={k: float(v) for k, v in targets.items()},
            periodicity="yearly", source="Observatoire de l'agglomération", owner=agent, min_value=0)
        for offset, value in enumerate(values):
            year = today.year - 3 + offset
            indicators.add_measurement(indicator, measured_on=date(year, 12, 31), value=value, actor=SYSTEM, today=today)

    bilan = report.create_report(plan, title=f"Bilan annuel {today.year - 1}", period_start=date(today.year - 1, 1, 1),
                                 period_end=date(today.year - 1, 12, 31), actor=SYSTEM)
    report.save_texts(bilan, introduction="Deux ans après son adoption, le projet de territoire avance : la moitié des actions sont engagées "
                                          "et les premières sont réalisées.",
                      conclusion="L'année qui vient portera sur la rénovation des logements et l'accès aux droits.", actor=SYSTEM)
    report.publish(bilan, actor=SYSTEM)
    return plan


def _take_status(action, status: str, progress: int) -> None:
    path = {"to_start": [], "ongoing": ["engage"], "done": ["engage", "complete"], "postponed": ["engage", "postpone"],
            "abandoned": ["abandon"]}[status]
    reasons = {"postpone": "Le financement régional est attendu pour l'an prochain.", "abandon": "Le projet a été repris par la Région."}
    for transition in path:
        services.change_action_status(action, transition, actor=SYSTEM, reason=reasons.get(transition))
    if status != "done":
        services.report_progress(action, progress=progress, actor=SYSTEM)


def _ctg(today: date, agent, admin) -> None:
    plan = services.save_plan(
        None, actor=SYSTEM, title="Convention territoriale globale 2025–2029", kind="ctg", start_year=2025, end_year=2029,
        summary="La convention signée avec la CAF pour les familles du territoire : petite enfance, parentalité, animation de la vie sociale.",
        signatories="Agglomération du Val de Loirande\nCaisse d'allocations familiales", partners="Communes\nCentres sociaux", manager=agent)
    rows = [
        ("Petite enfance", "Développer l'accueil du jeune enfant", ["Micro-crèche de Bellerive", "Relais petite enfance itinérant"]),
        ("Parentalité", "Soutenir les parents", ["Café des parents dans chaque centre social", "Médiation familiale"]),
        ("Animation de la vie sociale", "Renforcer les centres sociaux", ["Projet social de l'espace de vie sociale de Courval"]),
    ]
    actions = []
    for axis_title, objective_title, titles in rows:
        axis = services.add_axis(plan, title=axis_title, actor=SYSTEM)
        objective = services.add_objective(axis, title=objective_title, actor=SYSTEM)
        for title in titles:
            action = services.save_action(None, node=objective, actor=SYSTEM, title=title, lead_department=_department("COHESION"),
                                          partners="CAF", start_date=date(2025, 9, 1), end_date=date(2029, 6, 30))
            services.set_funding(action, funder="caf", planned_cents=12_000_000, spent_cents=4_500_000, actor=SYSTEM)
            services.set_funding(action, funder="authority", planned_cents=8_000_000, spent_cents=3_000_000, actor=SYSTEM)
            actions.append(action)
    services.change_plan_state(plan, "adopt", actor=SYSTEM, today=date(2025, 6, 30))
    services.change_plan_state(plan, "start", actor=SYSTEM)
    services.change_action_status(actions[0], "engage", actor=SYSTEM)
    services.change_action_status(actions[2], "engage", actor=SYSTEM)

    copil = committees.create_committee(plan, kind="steering", name="Comité de pilotage de la CTG", convocation_days=15, actor=SYSTEM)
    cotech = committees.create_committee(plan, kind="technical", name="Comité technique de la CTG", convocation_days=7, actor=SYSTEM)
    for committee in (copil, cotech):
        committees.add_member(committee, name=agent.display_name, user=agent, organisation="Agglomération", actor=SYSTEM)
        committees.add_member(committee, name="Sylvie Morel", email="sylvie.morel@caf.demo.example", organisation="CAF", actor=SYSTEM)
    committees.add_member(copil, name=admin.display_name, user=admin, organisation="Agglomération", actor=SYSTEM)
    committees.add_member(copil, name="Le maire de Bellerive", email="maire@bellerive.demo.example", organisation="Commune de Bellerive",
                          actor=SYSTEM)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for committee, days, title, decisions in (
        (cotech, 75, "Comité technique de rentrée", [("Lancer l'étude de besoins pour la micro-crèche.", actions[0], True)]),
        (copil, 30, "Comité de pilotage annuel", [("Ouvrir le relais petite enfance itinérant au printemps.", actions[1], False),
                                                   ("Doubler les cafés des parents dans les quartiers prioritaires.", actions[2], False)]),
    ):
        meeting = committees.schedule_meeting(committee, title=title, starts_at=now - timedelta(days=days), place="Hôtel d'agglomération",
                                              actor=SYSTEM)
        for _text, action, _done in decisions:
            committees.add_item(meeting, kind="action", action=action, actor=SYSTEM)
        committees.record_attendance(meeting, {m.id for m in committee.members[:-1]}, actor=SYSTEM)
        committees.hold_meeting(meeting, minutes="Le comité a fait le point sur l'avancement des actions et pris les décisions ci-dessous.",
                                actor=SYSTEM)
        for decision_text, action, done in decisions:
            decision = committees.take_decision(meeting, text=decision_text, owner=agent, due_on=today + timedelta(days=60),
                                                actions=[action], actor=SYSTEM)
            if done:
                committees.complete_decision(decision, outcome="Étude confiée au cabinet retenu.", actor=SYSTEM)
    upcoming = committees.schedule_meeting(copil, title="Comité de pilotage de printemps", starts_at=now + timedelta(days=40),
                                           place="Hôtel d'agglomération, salle du conseil", is_public=True, actor=SYSTEM)
    committees.add_item(upcoming, kind="action", action=actions[1], actor=SYSTEM)
    committees.add_item(upcoming, kind="decision", title="Programmation 2027 des actions de la CTG", actor=SYSTEM)


def _pact(today: date, admin) -> None:
    plan = services.save_plan(
        None, actor=SYSTEM, title="Pacte de gouvernance 2026", kind="governance_pact", start_year=2026, end_year=2032,
        summary="Après le renouvellement des conseils municipaux de mars 2026, l'agglomération et ses communes écrivent leur pacte de "
                "gouvernance (article L5211-11-2 du code général des collectivités territoriales).", manager=admin)
    axis = services.add_axis(plan, title="Les relations entre l'agglomération et les communes", actor=SYSTEM)
    objective = services.add_objective(axis, title="Associer les maires aux décisions", actor=SYSTEM)
    services.save_action(None, node=objective, actor=SYSTEM, title="Conférence des maires trimestrielle")
    services.change_plan_state(plan, "consult", actor=SYSTEM)
    debate = min(date(2026, 6, 25), today)
    pact.mark_step(plan, "debate", done_on=debate, actor=SYSTEM)
    transmitted = min(date(2026, 9, 15), today)
    communes = list(db.session.scalars(sa.select(Commune).order_by(Commune.insee_code).limit(5)))
    pact.transmit_to_communes(plan, communes, transmitted_on=transmitted, actor=SYSTEM)
    for opinion in pact.commune_opinions(plan)[:3]:
        pact.record_commune_opinion(opinion, given_on=min(transmitted + timedelta(days=30), today), text="Avis favorable.", actor=SYSTEM)
