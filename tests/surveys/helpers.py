"""Answering through the services, for tests that need many responses."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from participation.surveys import answering


def full_answers(q: dict, *, bus: str = "Oui", commune: str = "Loirande", age: str = "30 à 44 ans", gender: str = "Femme",
                 needs=("Logement", "Transports"), satisfaction: str = "4", household: str = "3") -> list[MultiDict]:
    """One form per page of ``tests.factories.survey_with_every_kind``."""
    profile = MultiDict({q["commune"].field: commune, q["qpv"].field: "Hors quartier prioritaire", q["age"].field: age,
                         q["gender"].field: gender})
    needs_page = MultiDict([
        (q["bus"].field, bus), *[(q["needs"].field, n) for n in needs], (q["satisfaction"].field, satisfaction),
        (f"{q['services'].field}_0", "5"), (f"{q['services'].field}_1", "3"),
        (f"{q['ranking'].field}_0", "2"), (f"{q['ranking'].field}_1", "1"), (f"{q['ranking'].field}_2", "3"),
        (q["household"].field, household), (q["arrival"].field, "2015-06-01"), (q["channel"].field, "Journal"),
        (q["idea"].field, "Plus de pistes cyclables"), (q["comment"].field, "Merci pour ce questionnaire."),
    ])
    pages = [profile, needs_page]
    if bus == "Oui":
        pages.append(MultiDict({q["frequency"].field: "Chaque jour"}))
    return pages


def respond(questionnaire, q: dict, *, key: str, **options):
    """A whole response from a browser ``key``, page by page, then sent."""
    response = answering.find_response(questionnaire, browser_key=key, create=True)
    visibility = answering.Visibility(questionnaire, {})
    for page, form in enumerate(full_answers(q, **options)):
        visibility = answering.save_page(response, visibility.shown_sections[page], form)
    return answering.submit(response)
