"""Demo register: the charter (two voted versions), processes entered by hand for communes and a partner,
the platform's processes registered, a commune's referent account and last year's published bilan."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from participation.accounts import services as accounts
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.processes import bilan, services
from participation.processes.models import LeaderKind, Method, Uptake
from participation.processes.sources import process_sources
from participation.territory.models import Commune, Neighbourhood, Theme

REFERENT_EMAIL = "referente@demo.example"

COMMITMENTS_V1 = [
    ("Informer en amont", "chaque démarche est annoncée un mois avant, avec ce qui est en débat et ce qui ne l'est pas"),
    ("Aller vers tous les publics", "horaires variés, lieux accessibles, démarches dans les quartiers prioritaires"),
    ("Rendre compte", "les résultats sont publiés, avec ce que la collectivité en fait et pourquoi"),
]
COMMITMENTS_V2 = [*COMMITMENTS_V1, ("Associer les jeunes", "une démarche par an au moins est pensée avec et pour les 15-25 ans")]


def _by_name(model, name):
    return db.session.scalar(sa.select(model).where(model.name == name))


def load_processes_demo(password: str) -> list[tuple[str, str, str]]:
    year = date.today().year
    services.save_charter_version(None, title="Charte de la participation citoyenne", voted_on=date(year - 3, 6, 24),
                                  voted_by="Conseil communautaire, délibération n° " + f"{year - 3}-087",
                                  preamble="La participation des habitants éclaire les décisions de l'Agglomération.",
                                  commitments=COMMITMENTS_V1, actor=SYSTEM)
    charter = services.save_charter_version(
        None, title="Charte de la participation citoyenne", voted_on=date(year - 1, 3, 12),
        voted_by=f"Conseil communautaire, délibération n° {year - 1}-112",
        preamble="La participation des habitants éclaire les décisions de l'Agglomération. Cette version ajoute un engagement pour les jeunes.",
        commitments=COMMITMENTS_V2, actor=SYSTEM)
    inform, reach, report, youth = (c.id for c in charter.commitments)

    saint_aubin = db.session.scalar(sa.select(Commune).where(Commune.insee_code == "37902"))
    villebrune = db.session.scalar(sa.select(Commune).where(Commune.insee_code == "37903"))
    loirande = db.session.scalar(sa.select(Commune).where(Commune.insee_code == "37901"))
    qpv = db.session.scalar(sa.select(Neighbourhood).order_by(Neighbourhood.id).limit(1))
    mobility, ecology, youth_theme = (_by_name(Theme, n) for n in ("Mobilités", "Transition écologique", "Jeunesse"))

    referent = accounts.create_user(email=REFERENT_EMAIL, password=password, display_name="Rose Delaunay (mairie de Saint-Aubin-des-Prés)",
                                    roles=[])
    services.add_referent(email=REFERENT_EMAIL, commune=saint_aubin, actor=SYSTEM)

    entered = [
        dict(title="Marche exploratoire des femmes dans le centre-bourg", leader_kind=LeaderKind.commune, leader_commune_id=saint_aubin.id,
             method=Method.exploratory_walk, audience="Habitantes du centre-bourg", starts_on=date(year - 1, 4, 11),
             ends_on=date(year - 1, 4, 11), participants=23, communes=[saint_aubin.id], themes=[mobility.id],
             commitments=[inform, reach, report], results="Douze points noirs relevés : éclairage, trottoirs étroits, un passage souterrain.",
             uptake=Uptake.partly, uptake_explanation="L'éclairage de la rue des Écoles est refait en septembre ; le passage souterrain est à l'étude.",
             uptake_url="https://www.example.org/saint-aubin/deliberation-2025-45", actor=referent),
        dict(title="Atelier « Cour d'école oasis »", leader_kind=LeaderKind.commune, leader_commune_id=villebrune.id,
             method=Method.workshop, audience="Parents, élèves et enseignants de l'école Jules-Ferry", starts_on=date(year - 1, 10, 3),
             ends_on=date(year - 1, 11, 14), participants=64, communes=[villebrune.id], themes=[ecology.id, youth_theme.id],
             commitments=[inform, youth, report], results="Un plan de cour avec arbres, potager et jeux d'eau, dessiné par les élèves.",
             uptake=Uptake.retained, uptake_explanation="Les travaux sont votés au budget de la commune ; ils ont lieu l'été prochain.",
             actor=SYSTEM),
        dict(title="Jury citoyen sur la tarification de l'eau", leader_kind=LeaderKind.authority, method=Method.citizen_jury,
             audience="Vingt habitants tirés au sort", starts_on=date(year - 1, 5, 20), ends_on=date(year - 1, 6, 24), participants=20,
             communes=[], themes=[ecology.id], commitments=[inform, reach, report],
             results="Une tarification progressive, avec des premiers mètres cubes gratuits.",
             uptake=Uptake.not_retained,
             uptake_explanation="Le conseil communautaire a gardé le tarif unique : le contrat de délégation court encore deux ans. La proposition sera rouverte à son terme.",
             actor=SYSTEM),
        dict(title="Réunion publique du contrat de ville", leader_kind=LeaderKind.partner, leader_name="Préfecture et CAF de Loirande",
             method=Method.public_meeting, audience="Habitants des quartiers prioritaires", starts_on=date(year, 2, 6), ends_on=date(year, 2, 6),
             participants=85, communes=[loirande.id], neighbourhoods=[qpv.id] if qpv else [], themes=[],
             commitments=[inform, reach], uptake=Uptake.pending, actor=SYSTEM),
    ]
    for values in entered:
        actor = values.pop("actor")
        process = services.save_process(None, actor=actor, **values)
        services.publish(process, actor=actor)
    services.sync()
    if "event" in process_sources():
        candidates = services.candidates("event")
        if candidates:
            services.publish(services.register_platform("event", candidates[0].source_id, actor=SYSTEM), actor=SYSTEM)

    last = bilan.create_bilan(year - 1, actor=SYSTEM)
    bilan.edit_bilan(last, actor=SYSTEM,
                     introduction=f"En {year - 1}, l'Agglomération et ses communes ont mené des démarches participatives variées : "
                                  "un jury citoyen, des marches exploratoires, des ateliers avec les écoles.",
                     highlights="Le jury citoyen sur l'eau a réuni vingt habitants tirés au sort pendant cinq samedis.",
                     outlook=f"En {year}, un budget participatif et une démarche avec les jeunes de chaque commune.")
    bilan.publish_bilan(last, actor=SYSTEM)
    db.session.flush()
    return [(REFERENT_EMAIL, password, "Référente de la commune de Saint-Aubin-des-Prés")]
