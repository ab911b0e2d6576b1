"""Demo data: a fictional agglomeration, its communes, themes, departments and one account per role.

Every name here is invented. The INSEE codes are in a range no real commune uses.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.accounts import services as accounts
from participation.accounts.models import Role, User
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.territory import services as territory
from participation.territory.models import Territory

DEMO_PASSWORD = "demo-participation"

DEMO_ACCOUNTS = [
    # (email, display name, roles, department code)
    ("habitante@demo.example", "Camille des Tilleuls", [], None),
    ("agent@demo.example", "Nadia Benali (Démocratie participative)", [Role.staff], "DEMOPART"),
    ("moderation@demo.example", "Hugo Marchand (modération)", [Role.moderator], None),
    ("admin@demo.example", "Administration de la plateforme", [Role.admin, Role.staff], "DSI"),
    # Residents with a part to play: the councils' and the grants' demos give them their seat and their association.
    ("presidente@demo.example", "Hélène Marchais", [], None),
    ("conseiller@demo.example", "Thomas Girard", [], None),
    ("association@demo.example", "Léa Fontaine", [], None),
]

# The demo's accounts as the banner and ``seed demo`` present them: (email, role, what to try), one per role.
DEMO_GUIDE = [
    ("habitante@demo.example", _l("Habitante"),
     _l("contribuer à une concertation, s'inscrire à un atelier, suivre un conseil, candidater au tirage au sort")),
    ("presidente@demo.example", _l("Présidente du conseil de développement"),
     _l("répondre à une convocation, accepter ou refuser une auto-saisine, approuver un compte rendu")),
    ("conseiller@demo.example", _l("Membre du conseil de développement"),
     _l("rédiger et commenter le projet d'avis, répondre à une convocation, proposer une auto-saisine")),
    ("association@demo.example", _l("Représentante d'une association"),
     _l("compléter une demande de subvention, déposer un document, remettre le compte rendu financier")),
    ("agent@demo.example", _l("Agent de la collectivité"),
     _l("créer une concertation ou un événement, convoquer une séance, instruire une demande, lire les courriels envoyés")),
    ("moderation@demo.example", _l("Modérateur"),
     _l("traiter les contributions signalées et celles à approuver")),
    ("admin@demo.example", _l("Administrateur"),
     _l("régler le territoire (nom, couleur, logo), gérer les comptes et les rôles, lire le journal")),
    ("referente@demo.example", _l("Référente de la commune de Saint-Aubin-des-Prés"),
     _l("inscrire au registre une démarche participative de sa commune")),
]

COMMUNES = """code_insee;nom;code_postal;population
37901;Loirande;37910;48210
37902;Saint-Aubin-des-Prés;37910;9120
37903;Villebrune;37920;7540
37904;Montclair-sur-Loire;37920;6315
37905;La Chapelle-aux-Saules;37930;4880
37906;Bellerive;37930;4410
37907;Les Essarts-Verts;37940;3975
37908;Champfleury;37940;3520
37909;Rochemaure;37950;3105
37910;Saint-Cyr-la-Lande;37950;2870
37911;Vauclair;37960;2410
37912;Noirmoutiers-le-Bocage;37960;2090
37913;Fontenay-les-Vignes;37970;1865
37914;Le Puy-Berland;37970;1520
37915;Marigny-sur-Brenne;37980;1340
37916;Sainte-Ode;37980;1105
37917;Courval;37990;960
37918;La Ferté-Saint-Loup;37990;815
37919;Boissy-le-Moutier;37990;640
37920;Haute-Rive;37990;455
"""

THEMES = [
    ("Mobilités", "Transports en commun, vélo, marche, voirie."),
    ("Transition écologique", "Climat, énergie, biodiversité, eau."),
    ("Urbanisme et habitat", "Plan local d'urbanisme intercommunal, logement, cadre de vie."),
    ("Développement économique", "Emploi, commerces, agriculture, tourisme."),
    ("Cohésion sociale", "Quartiers prioritaires, solidarités, santé."),
    ("Culture et sport", "Équipements, vie associative, patrimoine."),
    ("Jeunesse", "Enfance, jeunesse, éducation."),
]

DEPARTMENTS = [
    ("Direction générale des services", "DGS", "dgs@demo.example"),
    ("Mission démocratie participative", "DEMOPART", "participation@demo.example"),
    ("Direction des mobilités", "MOBILITES", "mobilites@demo.example"),
    ("Direction de l'aménagement et de l'habitat", "AMENAGEMENT", "amenagement@demo.example"),
    ("Direction de la transition écologique", "ECOLOGIE", "ecologie@demo.example"),
    ("Direction de la cohésion sociale", "COHESION", "cohesion@demo.example"),
    ("Service de la vie associative", "VIEASSO", "vie-associative@demo.example"),
    ("Direction des systèmes d'information", "DSI", "dsi@demo.example"),
]


def is_loaded() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Territory.id))) > 0


def load() -> list[tuple[str, str, str]]:
    """Load the demo data into an empty database; returns (email, password, role label) per account.

    The demo writes its past (sittings held, invitations accepted) without
    queueing mail about it: only the mail of the present moment is queued,
    where a domain's demo lets it through with ``outbox.quiet(False)``."""
    from participation.core import outbox

    with outbox.quiet():
        return _load()


def current_mandate(today: date | None = None) -> tuple[date, date]:
    """The six-year mandate running today, counted from the municipal elections of March 2026."""
    today = today or date.today()
    start_year = 2026 + 6 * ((today.year - 2026) // 6)
    if today < date(start_year, 3, 22):
        start_year -= 6
    return date(start_year, 3, 22), date(start_year + 6, 3, 21)


def _load() -> list[tuple[str, str, str]]:
    mandate = current_mandate()
    db.session.add(Territory(
        name="Agglomération du Val de Loirande",
        kind="communauté d'agglomération",
        siren="200099992",
        siret="20009999200014",
        population=105_165,
        address="Hôtel d'agglomération, 1 place de la Concorde, 37910 Loirande",
        contact_email="contact@demo.example",
        brand_colour="#1f5f8b",
        mandate_start=mandate[0],
        mandate_end=mandate[1],
        publication_director="La présidente de l'agglomération",
        host_name="Service informatique de l'agglomération",
        host_address="1 place de la Concorde, 37910 Loirande",
        dpo_name="Délégué à la protection des données de l'agglomération",
        dpo_email="dpo@demo.example",
        dpo_address="DPO, Hôtel d'agglomération, 1 place de la Concorde, 37910 Loirande",
        accessibility_status="partiellement conforme",
        accessibility_audit_date=date(2026, 9, 15),
        accessibility_contact="accessibilite@demo.example",
    ))
    db.session.flush()
    territory.import_communes(COMMUNES, actor=SYSTEM)
    departments = {}
    for name, code, email in DEPARTMENTS:
        departments[code] = territory.save_department(None, name=name, code=code, email=email, actor=SYSTEM)
    for name, description in THEMES:
        territory.save_theme(None, name=name, description=description, actor=SYSTEM)
    for email, display_name, roles, department_code in DEMO_ACCOUNTS:
        accounts.create_user(
            email=email,
            password=DEMO_PASSWORD,
            display_name=display_name,
            roles=roles,
            department=departments.get(department_code),
        )
    loirande = db.session.scalar(sa.select(territory.Commune).where(territory.Commune.insee_code == "37901"))
    resident = db.session.scalar(sa.select(User).where(User.email == "habitante@demo.example"))
    resident.commune_id = loirande.id
    db.session.flush()

    from participation.councils.demo import load_councils_demo

    load_councils_demo(DEMO_PASSWORD)
    from participation.referrals.demo import load_referrals_demo

    load_referrals_demo()

    from participation.forums.demo import load_forums_demo

    load_forums_demo()
    from participation.grants.demo import load_grants_demo

    load_grants_demo()
    from participation.events.demo import load_events_demo

    load_events_demo()
    from participation.plans.demo import load_plans_demo

    load_plans_demo()
    from participation.surveys.demo import load_surveys_demo

    load_surveys_demo()
    from participation.news.demo import load_news_demo

    load_news_demo()
    from participation.processes.demo import load_processes_demo

    load_processes_demo(DEMO_PASSWORD)
    return [(email, DEMO_PASSWORD, role) for email, role, _ in DEMO_GUIDE]

