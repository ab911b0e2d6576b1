"""The header's main sections.

Each section names the endpoint its domain provides. Until a domain lands,
its section leads to a page that says what it will hold, so that the header
never shows a dead link.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Section:
    key: str
    label: object  # a lazy translation
    path: str
    endpoint: str
    summary: object


SECTIONS = [
    Section("conseils", _l("Conseils"), "/conseils/", "councils.index",
            _l("Les conseils de développement et les conseils citoyens du territoire : leur composition, leurs séances publiques, leurs comptes rendus et leurs avis.")),
    Section("saisines", _l("Saisines"), "/saisines/", "referrals.index",
            _l("Les questions posées aux conseils par la collectivité, les avis rendus et les réponses apportées, recommandation par recommandation.")),
    Section("concertations", _l("Concertations"), "/concertations/", "forums.index",
            _l("Les concertations en ligne sur les projets du territoire : donnez votre avis, répondez aux autres, lisez la synthèse.")),
    Section("agenda", _l("Agenda"), "/agenda/", "agenda.index",
            _l("Tous les rendez-vous de la participation : séances publiques, concertations, ateliers et réunions.")),
    Section("evenements", _l("Événements"), "/evenements/", "events.index",
            _l("Ateliers, forums citoyens et réunions publiques : inscrivez-vous en ligne.")),
    Section("subventions", _l("Subventions"), "/subventions/", "grants.index",
            _l("Les appels à projets et les demandes de subvention des associations.")),
    Section("demarches", _l("Démarches"), "/demarches/", "processes.index",
            _l("Toutes les démarches participatives du territoire, ce qu'elles ont produit et ce qui en a été fait ; la charte de la participation et les bilans annuels.")),
    Section("plans", _l("Plans"), "/plans/", "plans.index",
            _l("Le projet de territoire, les conventions et les contrats : leurs actions, leurs indicateurs et leur avancement.")),
    Section("questionnaires", _l("Questionnaires"), "/questionnaires/", "surveys.index",
            _l("Les questionnaires sur les besoins du territoire : répondez en quelques minutes et lisez les résultats publiés.")),
    Section("actualites", _l("Actualités"), "/actualites/", "news.index",
            _l("Ce que la collectivité publie sur la participation et l'avancée des projets, par thème et par commune.")),
    Section("lettre", _l("Lettre d'information"), "/lettre/", "newsletter.archive",
            _l("Abonnez-vous à la lettre d'information et relisez les lettres parues.")),
]


def section_url(section: Section) -> str:
    if section.endpoint in current_app.view_functions:
        return url_for(section.endpoint)
    return section.path


def main_sections() -> list[tuple[Section, str]]:
    return [(section, section_url(section)) for section in SECTIONS]
