"""Every page in the table, in Chromium: no axe-core violation, no horizontal
scrolling at 320 CSS pixels (WCAG 1.4.10), nothing loaded from another
origin, no console error (a CSP violation is one).

A domain adds its pages with one line in ``PAGES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

import pytest

from tests.browser.helpers import assert_accessible, assert_reflows

pytestmark = pytest.mark.browser


def submit_empty(page):
    """Send the page's main form as it is, to show its error summary."""
    with page.expect_navigation() as navigation:
        page.click("main form.stacked button[type=submit]")
    page.wait_for_selector("#erreurs")
    return navigation.value


@dataclass(frozen=True)
class Page:
    path: str
    who: str | None = None  # None: anonymous; otherwise a key of helpers.ACCOUNTS
    status: int = 200
    then: Callable | None = None  # what to do on the page before checking it; returns the new response, if any
    pending: bool = False  # a page another branch is adding: skipped while it answers 404
    label: str | None = None

    @property
    def id(self) -> str:
        return self.label or f"{self.who or 'anonyme'}:{self.path}"


PAGES = [
    Page("/"),
    Page("/compte/connexion"),
    Page("/compte/inscription"),
    Page("/compte/inscription", status=422, then=submit_empty, label="anonyme:/compte/inscription (envoyé vide)"),
    Page("/compte/connexion", status=422, then=submit_empty, label="anonyme:/compte/connexion (envoyé vide)"),
    Page("/compte/mot-de-passe-oublie"),
    Page("/compte/mot-de-passe-oublie", status=422, then=submit_empty, label="anonyme:/compte/mot-de-passe-oublie (envoyé vide)"),
    Page("/compte/verifiez-vos-courriels"),
    Page("/mentions-legales"),
    Page("/donnees-personnelles"),
    Page("/accessibilite"),
    Page("/opendata/"),
    Page("/cette-page-n-existe-pas", status=404),
    Page("/conseils/"),
    Page("/compte/profil", who="habitante"),
    Page("/compte/mot-de-passe", who="habitante"),
    Page("/compte/mes-donnees", who="habitante"),
    Page("/notifications/", who="habitante"),
    Page("/gestion/", who="admin"),
    Page("/gestion/territoire", who="admin"),
    Page("/gestion/territoire", who="admin", status=422, then=lambda page: _submit_with(page, "#siren", "123"),
         label="admin:/gestion/territoire (SIREN invalide)"),
    Page("/gestion/communes", who="admin"),
    Page("/gestion/communes/nouvelle", who="admin"),
    Page("/gestion/themes", who="admin"),
    Page("/gestion/themes/nouveau", who="admin"),
    Page("/gestion/directions", who="admin"),
    Page("/gestion/directions/nouvelle", who="admin"),
    Page("/gestion/quartiers", who="admin"),
    Page("/gestion/quartiers/nouveau", who="admin"),
    Page("/gestion/courriels", who="admin"),
    Page("/gestion/journal", who="admin"),
    Page("/gestion/utilisateurs", who="admin"),
    Page("/gestion/utilisateurs/1", who="admin"),
    Page("/gestion/", who="agent"),
    Page("/concertations/"),
    Page("/concertations/?q=gare&status=open", label="anonyme:/concertations/ (recherche)"),
    Page("/concertations/1"),
    Page("/concertations/1", who="habitante"),
    Page("/concertations/1?q=piste", label="anonyme:/concertations/1 (recherche)"),
    Page("/concertations/1/sujets/1"),
    Page("/concertations/1/sujets/1", who="habitante"),
    Page("/concertations/2/synthese"),
    Page("/concertations/3", who="habitante"),
    Page("/concertations/contributions/2/signaler", who="habitante"),
    Page("/gestion/concertations", who="agent"),
    Page("/gestion/concertations/nouvelle", who="agent"),
    Page("/gestion/concertations/1", who="agent"),
    Page("/gestion/concertations/2", who="agent"),
    Page("/gestion/moderation", who="moderation"),
    Page("/gestion/moderation?file=pending", who="moderation", label="moderation:/gestion/moderation (à approuver)"),
    # Councils (demo: the development council and the Tilleuls citizen council).
    Page("/conseils/conseil-de-developpement-du-val-de-loirande"),
    Page("/conseils/conseil-de-developpement-du-val-de-loirande", who="habitante"),
    Page("/conseils/conseil-de-developpement-du-val-de-loirande/seances"),
    Page("/conseils/conseil-de-developpement-du-val-de-loirande/seances/1"),
    Page("/conseils/conseil-de-developpement-du-val-de-loirande/reglement-interieur"),
    Page("/conseils/conseil-citoyen-des-tilleuls/tirages/1"),
    Page("/conseils/conseil-citoyen-des-tilleuls/tirages/1?graine=5f1c0d7e2b9a4c38a61e0f52d3b7c9e4", label="anonyme:tirage refait"),
    Page("/conseils/conseil-de-developpement-du-val-de-loirande/espace", who="conseiller"),
    Page("/conseils/conseil-de-developpement-du-val-de-loirande/seances/2", who="conseiller"),
    Page("/conseils/conseil-citoyen-des-tilleuls/volontaire", who="habitante"),
    Page("/conseils/conseil-citoyen-des-tilleuls/volontaire", who="habitante", status=422, then=submit_empty,
         label="habitante:/conseils/…/volontaire (envoyé vide)"),
    Page("/gestion/conseils/", who="agent"),
    Page("/gestion/conseils/nouveau", who="agent"),
    Page("/gestion/conseils/1", who="agent"),
    Page("/gestion/conseils/1/inviter", who="agent"),
    Page("/gestion/conseils/1/seances", who="agent"),
    Page("/gestion/conseils/seances/2", who="agent"),
    Page("/gestion/conseils/1/travaux", who="agent"),
    Page("/gestion/conseils/1/historique", who="agent"),
    Page("/gestion/conseils/2/tirages", who="agent"),
    # Referrals (demo: 1 saisine obligatoire being drafted, 2 auto-saisine proposed, 3 opinion published and answered).
    Page("/saisines/"),
    Page("/saisines/?conseil=conseil-de-developpement-du-val-de-loirande", label="anonyme:/saisines/ (d'un conseil)"),
    Page("/saisines/1"),
    Page("/saisines/3"),
    Page("/saisines/3/avis"),
    Page("/saisines/1", who="habitante"),
    Page("/saisines/1/redaction", who="conseiller"),
    Page("/saisines/1/redaction/versions/2", who="conseiller"),
    Page("/saisines/1/redaction/comparer?de=1&a=3", who="conseiller"),
    Page("/saisines/proposer/conseil-de-developpement-du-val-de-loirande", who="conseiller"),
    Page("/gestion/saisines", who="agent"),
    Page("/gestion/saisines?conseil=conseil-de-developpement-du-val-de-loirande", who="agent", label="agent:/gestion/saisines (d'un conseil)"),
    Page("/gestion/saisines/en-retard", who="agent"),
    Page("/gestion/saisines/nouvelle/conseil-de-developpement-du-val-de-loirande", who="agent"),
    Page("/gestion/saisines/nouvelle/conseil-de-developpement-du-val-de-loirande", who="agent", status=422, then=submit_empty,
         label="agent:/gestion/saisines/nouvelle (envoyé vide)"),
    Page("/gestion/saisines/1", who="agent"),
    Page("/gestion/saisines/2", who="agent"),
    Page("/gestion/saisines/3", who="admin"),
    # Activity reports (demo: 1 the development council's, published; 2 the citizen council's of this year, a draft).
    Page("/conseils/conseil-de-developpement-du-val-de-loirande", then=lambda page: _follow(page, "Rapport d'activité"),
         label="anonyme:/saisines/rapports/… (publié, depuis la page du conseil)"),
    Page("/gestion/saisines/rapports", who="agent"),
    Page("/gestion/saisines/rapports?conseil=conseil-de-developpement-du-val-de-loirande", who="agent",
         label="agent:/gestion/saisines/rapports (d'un conseil)"),
    Page("/gestion/saisines/rapports/1", who="agent"),
    Page("/gestion/saisines/rapports/2", who="agent"),
    Page("/gestion/saisines/rapports/2", who="agent", then=lambda page: _follow(page, "Aperçu de la page publique"),
         label="agent:/saisines/rapports/… (brouillon)"),
    # Agenda and events (demo: 1 cycling workshop, 2 associations' day with questions, 3 full walk, 6 draft).
    Page("/agenda/"),
    Page("/agenda/?vue=grille", label="anonyme:/agenda/ (grille)"),
    Page("/evenements/"),
    Page("/evenements/?passes=1", label="anonyme:/evenements/ (passés)"),
    Page("/evenements/2"),
    Page("/evenements/2/inscription"),
    Page("/evenements/2/inscription", status=422, then=submit_empty, label="anonyme:/evenements/2/inscription (envoyé vide)"),
    Page("/evenements/1", who="habitante"),
    Page("/evenements/3", who="habitante"),
    Page("/gestion/evenements/", who="agent"),
    Page("/gestion/evenements/nouveau", who="agent"),
    Page("/gestion/evenements/nouveau", who="agent", status=422, then=submit_empty, label="agent:/gestion/evenements/nouveau (envoyé vide)"),
    Page("/gestion/evenements/1", who="agent"),
    Page("/gestion/evenements/1/modifier", who="agent"),
    Page("/gestion/evenements/1/accueil", who="agent"),
    Page("/gestion/evenements/1/message", who="agent"),
    Page("/gestion/evenements/3/annuler", who="agent"),
    # Grants (demo: call 1 open, call 2 closed; association 1 of the resident; applications 1 draft, 2 under review, 3 granted)
    Page("/subventions/"),
    Page("/subventions/appels/1"),
    Page("/subventions/appels/1", who="habitante"),
    Page("/subventions/mes-demandes", who="association"),
    Page("/subventions/demandes/1", who="association"),
    Page("/subventions/demandes/1/modifier", who="association"),
    Page("/subventions/demandes/3", who="association"),
    Page("/subventions/demandes/3/compte-rendu", who="association"),
    Page("/associations/", who="habitante"),
    Page("/associations/1", who="association"),
    Page("/associations/nouvelle", who="habitante"),
    Page("/associations/nouvelle", who="habitante", status=422, then=submit_empty, label="habitante:/associations/nouvelle (envoyé vide)"),
    Page("/gestion/subventions", who="admin"),
    Page("/gestion/subventions/demandes", who="admin"),
    Page("/gestion/subventions/comptes-rendus", who="admin"),
    Page("/gestion/subventions/appels/1", who="admin"),
    Page("/gestion/subventions/appels/nouveau", who="admin"),
    Page("/gestion/subventions/demandes/2", who="agent"),
    Page("/gestion/subventions/demandes/3", who="admin"),
    # Robust access: an agent reads a demo mail with its one-time link masked.
    Page("/gestion/courriels/1", who="agent", label="agent:/gestion/courriels/1 (lien à usage unique masqué)"),
    # The officer's desk: what waits for me, the journal, indicators, exports, the register, the charter, the bilans
    # (demo: processes 1-6 from the platform (referrals, consultations), 7-10 entered by hand, 7 by Saint-Aubin-des-Prés'
    # referent, 11 an event; last year's bilan published).
    Page("/gestion/", who="moderation"),
    Page("/gestion/journal", who="agent"),
    Page("/gestion/journal?domain=accounts&start=2020-01-01", who="admin", label="admin:/gestion/journal (filtré)"),
    Page("/gestion/journal?start=2026-03-10&end=2026-03-01", who="admin", status=422, label="admin:/gestion/journal (période à l'envers)"),
    Page("/compte/historique", who="habitante"),
    Page("/gestion/indicateurs", who="agent"),
    Page("/gestion/exports", who="agent"),
    Page("/demarches/"),
    Page("/demarches/?method=workshop", label="anonyme:/demarches/ (filtré)"),
    Page("/demarches/7"),
    Page("/demarches/3", who="habitante", label="habitante:/demarches/3 (de la plateforme)"),
    Page("/demarches/charte"),
    Page("/bilans/"),
    Page("/bilans/", then=lambda page: _follow(page, "Bilan "), label="anonyme:/bilans/… (publié)"),
    Page("/gestion/demarches/", who="agent"),
    Page("/gestion/demarches/nouvelle", who="agent"),
    Page("/gestion/demarches/nouvelle", who="agent", status=422, then=submit_empty, label="agent:/gestion/demarches/nouvelle (envoyé vide)"),
    Page("/gestion/demarches/9", who="agent"),
    Page("/gestion/demarches/3", who="agent", label="agent:/gestion/demarches/3 (de la plateforme)"),
    Page("/gestion/demarches/", who="referente"),
    Page("/gestion/demarches/7", who="referente"),
    Page("/gestion/demarches/charte", who="agent"),
    Page("/gestion/demarches/plateforme/event", who="agent"),
    Page("/gestion/demarches/referents", who="admin"),
    Page("/gestion/bilans", who="agent"),
    Page("/gestion/bilans/1", who="agent"),
    # Plans (demo: plan 1 the projet de territoire with actions 1–20, indicator 1 and its published report 1;
    # plan 2 the CTG with committees 1 (COPIL) and 2 (COTECH) and meetings 1–3; plan 3 the pacte de gouvernance)
    Page("/plans/"),
    Page("/plans/projet-de-territoire-2025-2035"),
    Page("/plans/projet-de-territoire-2025-2035?indicateurs=2", label="anonyme:/plans/projet-de-territoire-2025-2035 (indicateurs, page 2)"),
    Page("/plans/projet-de-territoire-2025-2035/actions/1"),
    Page("/plans/projet-de-territoire-2025-2035/actions/1", who="habitante"),
    Page("/plans/projet-de-territoire-2025-2035/bilans/1"),
    Page("/plans/convention-territoriale-globale-2025-2029"),
    Page("/plans/pacte-de-gouvernance-2026"),
    Page("/gestion/plans", who="agent"),
    Page("/gestion/plans/nouveau", who="agent"),
    Page("/gestion/plans/nouveau", who="agent", status=422, then=submit_empty, label="agent:/gestion/plans/nouveau (envoyé vide)"),
    Page("/gestion/plans/1", who="agent"),
    Page("/gestion/plans/2", who="agent"),
    Page("/gestion/plans/3", who="agent"),
    Page("/gestion/plans/1/modifier", who="agent"),
    Page("/gestion/plans/actions/1", who="agent"),
    Page("/gestion/plans/actions/1/modifier", who="agent"),
    Page("/gestion/plans/noeuds/2/actions/nouvelle", who="agent"),
    Page("/gestion/plans/1/indicateurs/nouveau", who="agent"),
    Page("/gestion/plans/indicateurs/1", who="agent"),
    Page("/gestion/plans/indicateurs/1", who="agent", status=422, then=submit_empty, label="agent:/gestion/plans/indicateurs/1 (envoyé vide)"),
    Page("/gestion/plans/comites/1", who="agent"),
    Page("/gestion/plans/reunions/2", who="agent"),
    Page("/gestion/plans/reunions/3", who="agent"),
    Page("/gestion/plans/bilans/1", who="agent"),
    Page("/plans/indicateurs/1/mesure", who="agent"),
    # Questionnaires (demo: 1 needs 2025, results published; 2 needs 2027, open, same questions; 3 an event's satisfaction, by invitation).
    Page("/questionnaires/"),
    Page("/questionnaires/2"),
    Page("/questionnaires/2/repondre/1"),
    Page("/questionnaires/2/repondre/2"),
    Page("/questionnaires/2/repondre/2", status=422, then=submit_empty, label="anonyme:/questionnaires/2/repondre/2 (envoyé vide)"),
    Page("/questionnaires/3"),
    Page("/questionnaires/1/resultats"),
    Page("/gestion/questionnaires/", who="agent"),
    Page("/gestion/questionnaires/nouveau", who="agent"),
    Page("/gestion/questionnaires/nouveau", who="agent", status=422, then=submit_empty, label="agent:/gestion/questionnaires/nouveau (envoyé vide)"),
    Page("/gestion/questionnaires/2", who="agent"),
    Page("/gestion/questionnaires/2/modifier", who="agent"),
    Page("/gestion/questionnaires/2/questions/nouvelle", who="agent"),
    Page("/gestion/questionnaires/2/questions/12", who="agent"),
    Page("/gestion/questionnaires/2/sections/4", who="agent"),
    Page("/gestion/questionnaires/2/apercu/1", who="agent"),
    Page("/gestion/questionnaires/2/apercu/2", who="agent"),
    Page("/gestion/questionnaires/2/resultats", who="agent"),
    Page("/gestion/questionnaires/2/comparaison", who="agent"),
    Page("/gestion/questionnaires/2/croisement?question=17&par=commune", who="agent", label="agent:/gestion/questionnaires/2/croisement"),
    Page("/gestion/questionnaires/2/resultats/textes/21", who="agent"),
    Page("/gestion/questionnaires/3/invitations", who="agent"),
    Page("/gestion/questionnaires/1/publication", who="agent"),
    # Communication (demo: articles 1-3 published, 4 scheduled; newsletter issue 1 sent, 2 draft).
    Page("/compte/notifications", who="habitante"),
    Page("/compte/notifications", who="agent"),
    Page("/desabonnement/lien-modifie", status=400),
    Page("/notifications/", who="moderation"),
    Page("/actualites/"),
    # The public API's reference page.
    Page("/api/v1/docs"),
    Page("/actualites/?theme=1"),
    Page("/actualites/?theme=1", who="habitante"),
    Page("/actualites/1"),
    Page("/gestion/actualites/", who="agent"),
    Page("/gestion/actualites/nouveau", who="agent"),
    Page("/gestion/actualites/nouveau", who="agent", status=422, then=submit_empty, label="agent:/gestion/actualites/nouveau (envoyé vide)"),
    Page("/gestion/actualites/1", who="agent"),
    Page("/gestion/actualites/4", who="agent"),
    Page("/gestion/actualites/1/modifier", who="agent"),
    Page("/lettre/"),
    Page("/lettre/1"),
    Page("/lettre/abonnement"),
    Page("/lettre/abonnement", status=422, then=submit_empty, label="anonyme:/lettre/abonnement (envoyé vide)"),
    Page("/lettre/abonnement", who="habitante"),
    Page("/lettre/confirmer/lien-inconnu"),
    Page("/lettre/desinscription/lien-modifie", status=400),
    Page("/gestion/lettre/", who="agent"),
    Page("/gestion/lettre/nouvelle", who="agent"),
    Page("/gestion/lettre/1", who="agent"),
    Page("/gestion/lettre/2", who="agent"),
    Page("/gestion/lettre/2/modifier", who="agent"),
    # First impression: the home page's blocks, « Mon espace » of a member and of a plain resident, the menu opened on a phone.
    Page("/mon-espace", who="conseiller"),
    Page("/mon-espace", who="presidente"),
    Page("/mon-espace", who="habitante"),
    Page("/", then=lambda page: _open_menu(page), label="anonyme:/ (menu ouvert, 375 px)"),
    Page("/", who="conseiller", label="conseiller:/"),
]


def _open_menu(page):
    """At 375 px, open the main menu with its button."""
    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_role("button", name="Menu").click()
    page.wait_for_selector("#rubriques a", state="visible")


def _submit_with(page, selector: str, value: str):
    """Fill one field with a wrong value and send the form, to show its errors."""
    page.fill(selector, value)
    return submit_empty(page)


# The links ``_follow`` clicks, as the English pass reads them.
ENGLISH_LINKS = {"Rapport d'activité": "Activity report", "Aperçu de la page publique": "Preview of the public page", "Bilan ": "Review "}


def _follow(page, link: str):
    """Open the page a link leads to, for a page whose address depends on the demo's dates."""
    if page.evaluate("document.documentElement.lang") == "en":
        link = ENGLISH_LINKS[link]
    with page.expect_navigation() as navigation:
        page.get_by_role("link", name=link).first.click()
    return navigation.value


def visit(page, spec: Page) -> bool:
    """Open the page as ``spec`` says; False for a pending page that answers 404."""
    response = page.goto(spec.path)
    if spec.pending and response.status == 404:
        return False
    if spec.then is not None:
        response = spec.then(page) or response
    assert response.status == spec.status, f"{spec.path} a répondu {response.status}, {spec.status} attendu"
    assert "/compte/connexion" not in page.url or spec.path.startswith("/compte/connexion"), (
        f"{spec.path} a renvoyé vers la connexion"
    )
    return True


def skip_pending(spec: Page):
    pytest.skip(f"{spec.path} répond 404 : la page n'existe pas encore sur cette branche")


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.id)
def test_page_is_accessible(new_page, spec):
    page = new_page(spec.who)
    if not visit(page, spec):
        skip_pending(spec)
    assert_accessible(page)
    assert_reflows(page)


def test_pages_load_only_from_their_origin_without_console_error(new_page, live_server, recorder):
    """Every page of the table in turn (one browser context per account, to
    stay quick): each request goes to the live server, the console stays clean."""
    origin = live_server.url + "/"
    pages = {}
    problems = []
    for spec in PAGES:
        if spec.who not in pages:
            pages[spec.who] = new_page(spec.who)
        recorder.requests.clear()
        recorder.errors.clear()
        if not visit(pages[spec.who], spec):
            continue
        foreign = [url for url in recorder.requests if not url.startswith(origin)]
        if foreign:
            problems.append(f"{spec.id} charge des ressources d'une autre origine : {foreign}")
        if recorder.errors:
            problems.append(f"{spec.id} écrit des erreurs dans la console : {recorder.errors}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- English

def _french_interface_strings() -> dict[str, str]:
    """French message id → English translation, for every message of the
    catalogue whose English differs and that a page could show as it is
    (no placeholder, at least one letter). A French id that is also the
    English of another message (« Agenda », the English of « Ordre du
    jour ») is no sign of French and is left out."""
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[2] / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    strings = {}
    for message in catalogue:
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue
        text = " ".join(message.id.replace("%%", "%").split())
        if "%(" in text or not any(c.isalpha() for c in text) or message.string.strip() == message.id.strip():
            continue
        strings[text] = message.string
    english = {" ".join(s.split()) for m in catalogue if m.id for s in (m.string if isinstance(m.string, tuple) else (m.string,)) if s}
    return {text: string for text, string in strings.items() if text not in english}


# Text nodes and translatable attributes of the page, outside what people
# wrote (``.prose`` holds rich text; an element with ``lang`` is in its own
# language on purpose) and outside what is not shown.
_VISIBLE_TEXTS = r"""() => {
    const skip = (el) => el.closest('script, style, template, [hidden], .prose, [lang]:not(html), code, pre, textarea');
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.nodeValue.replace(/\s+/g, ' ').trim();
        if (text && !skip(node.parentElement)) out.push(text);
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt], input[type=submit][value]')) {
        if (skip(el)) continue;
        for (const name of ['title', 'aria-label', 'placeholder', 'alt', 'value']) {
            if (name === 'value' && el.type !== 'submit') continue;
            const value = (el.getAttribute(name) || '').replace(/\s+/g, ' ').trim();
            if (value) out.push(value);
        }
    }
    out.push(document.title.split(' — ')[0].trim());
    return out;
}"""


def _written_content(app) -> set[str]:
    """What people wrote, as the database holds it: every text column's
    values, whole and line by line (a Markdown text shows as paragraphs).
    A text node equal to one of them is content, not interface."""
    import re

    import sqlalchemy as sa

    from participation.extensions import db

    values = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text)) and not isinstance(c.type, sa.Enum)]
            if not columns:
                continue
            for row in db.session.execute(sa.select(*columns)):
                for value in row:
                    if not isinstance(value, str):
                        continue
                    values.add(" ".join(value.split()))
                    for line in value.splitlines():
                        line = re.sub(r"^\s*(#+|[-*>]|\d+[.)])\s+", "", line)
                        values.add(" ".join(line.replace("**", "").replace("_", " ").split()))
        db.session.remove()
    values.discard("")
    return values


def untranslated_texts(page, french: dict[str, str], written: set[str] = frozenset()) -> list[str]:
    """The interface strings the page shows in French although the catalogue
    translates them (what people wrote aside)."""
    return sorted({text for text in page.evaluate(_VISIBLE_TEXTS) if text in french and text not in written})


def test_every_page_in_english(new_page, live_server):
    """Every page of the table with ``?lang=en``: ``<html lang="en">`` and no
    interface string left in French (the demo content, written in French,
    stays French)."""
    french = _french_interface_strings()
    written = _written_content(live_server.app)
    pages = {}
    problems = []
    for spec in PAGES:
        if spec.who not in pages:
            pages[spec.who] = new_page(spec.who)
            pages[spec.who].goto("/?lang=en")
        page = pages[spec.who]
        if not visit(page, spec):
            continue
        lang = page.evaluate("document.documentElement.lang")
        if lang != "en":
            problems.append(f"{spec.id} : <html lang=\"{lang}\">")
        left = untranslated_texts(page, french, written)
        if left:
            problems.append(f"{spec.id} : en français : {left}")
    assert not problems, "\n".join(problems)


def test_the_english_check_sees_a_french_string(new_page):
    """The check above is not blind: a French interface string put in an
    English page is reported, one inside a ``lang="fr"`` element is not."""
    french = _french_interface_strings()
    page = new_page()
    page.goto("/?lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert untranslated_texts(page, french) == []
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<p>Mes données</p><p lang="fr">Mot de passe oublié</p>');
    }""")
    assert untranslated_texts(page, french) == ["Mes données"]
    assert untranslated_texts(page, french, {"Mes données"}) == []
