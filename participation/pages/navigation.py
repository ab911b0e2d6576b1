"""The header's main sections.

Each section names the endpoint its domain provides. Until a domain lands,
its section leads to a page that says what it will hold, so that the header
never shows a dead link.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    path: str
    endpoint: str
    summary: str


SECTIONS = [
    Section("conseils", "Conseils", "/conseils/", "councils.index",
            "Les conseils de développement et les conseils citoyens du territoire : leur composition, leurs séances publiques, leurs comptes rendus et leurs avis."),
    Section("saisines", "Saisines", "/saisines/", "referrals.index",
            "Les questions posées aux conseils par la collectivité, les avis rendus et les réponses apportées, recommandation par recommandation."),
    Section("concertations", "Concertations", "/concertations/", "forums.index",
            "Les concertations en ligne sur les projets du territoire : donnez votre avis, répondez aux autres, lisez la synthèse."),
    Section("agenda", "Agenda", "/agenda/", "agenda.index",
            "Tous les rendez-vous de la participation : séances publiques, concertations, ateliers et réunions."),
    Section("evenements", "Événements", "/evenements/", "events.index",
            "Ateliers, forums citoyens et réunions publiques : inscrivez-vous en ligne."),
    Section("subventions", "Subventions", "/subventions/", "grants.index",
            "Les appels à projets et les demandes de subvention des associations."),
]


def section_url(section: Section) -> str:
    if section.endpoint in current_app.view_functions:
        return url_for(section.endpoint)
    return section.path


def main_sections() -> list[tuple[Section, str]]:
    return [(section, section_url(section)) for section in SECTIONS]
