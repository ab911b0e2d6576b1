"""A questionnaire with every kind of question and a conditional section, answered with the keyboard only,
then closed and published: the public charts show the answers given."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, focused

pytestmark = pytest.mark.browser


def tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} n'est pas atteint en {limit} tabulations")


def choose(page, selector: str, presses: int = 0) -> None:
    """A radio group or a list: reach it, then move with the arrow keys."""
    tab_to(page, selector)
    if presses == 0 and page.evaluate("(s) => document.querySelector(s).type === 'radio'", selector):
        page.keyboard.press("Space")
    for _ in range(presses):
        page.keyboard.press("ArrowDown")


def submit(page, label: str) -> None:
    """Tab to the form's button named ``label`` and press Enter."""
    tab_to(page, "main button[type=submit]")
    for _ in range(5):
        if focused(page).get("text") == label:
            break
        page.keyboard.press("Tab")
    assert focused(page).get("text") == label, focused(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture
def survey(live_server):
    from participation.extensions import db
    from tests import factories

    app = live_server.app
    previous = app.config["FORUMS_MIN_FILL_SECONDS"]
    app.config["FORUMS_MIN_FILL_SECONDS"] = 0
    with app.app_context():
        questionnaire, q = factories.survey_with_every_kind(title="Questionnaire au clavier")
        fields = {name: question.field for name, question in q.items()}
        ids = {name: question.id for name, question in q.items()}
        db.session.commit()
        questionnaire_id = questionnaire.id
        db.session.remove()
    yield questionnaire_id, fields, ids
    app.config["FORUMS_MIN_FILL_SECONDS"] = previous


def test_every_kind_of_question_answered_with_the_keyboard_then_published(page, live_server, survey):
    questionnaire_id, f, ids = survey
    page.goto(f"/questionnaires/{questionnaire_id}")
    tab_to(page, "main a.button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Page 1: the profile (lists and radio groups).
    assert page.get_by_text("Page 1 sur 2").is_visible()
    assert_accessible(page)
    choose(page, f"#{f['commune']}", presses=1)  # the first commune of the list
    commune = page.eval_on_selector(f"#{f['commune']}", "s => s.value")
    choose(page, f"#{f['qpv']}", presses=1)
    choose(page, f"#{f['age']}")
    page.keyboard.press("ArrowDown")  # « 18 à 29 ans »
    choose(page, f"#{f['gender']}")  # « Femme »
    submit(page, "Continuer")

    # Page 2: every other kind. First sent empty: the errors are tied to their fields.
    submit(page, "Continuer")
    assert page.locator("#erreurs").is_visible()
    assert page.get_attribute(f"#question-{ids['bus']}", "aria-describedby") == f"{f['bus']}-erreur"
    assert_accessible(page)
    choose(page, f"#{f['bus']}")  # « Oui »
    tab_to(page, f"#{f['needs']}")
    page.keyboard.press("Space")  # Logement
    tab_to(page, f"#{f['needs']}-1")
    page.keyboard.press("Space")  # Transports
    choose(page, f"#{f['satisfaction']}")
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # 4
    choose(page, f"#{f['services']}")
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # Piscine: 5
    tab_to(page, f"#{f['services']}-1-0")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # Médiathèque: 3
    for index, presses in ((0, 2), (1, 1), (2, 3)):  # Parc 2, Piste cyclable 1, Marché 3
        selector = f"#{f['ranking']}" if index == 0 else f"#{f['ranking']}-{index}"
        choose(page, selector, presses=presses)
    tab_to(page, f"#{f['household']}")
    page.keyboard.type("3")
    tab_to(page, f"#{f['arrival']}")
    page.keyboard.type("01062015")  # day, month, year where Chromium speaks French
    if page.eval_on_selector(f"#{f['arrival']}", "e => e.value") != "2015-06-01":
        # Chromium in English puts the month first: back out of the field, in again, and type in that order.
        for _ in range(5):
            page.keyboard.press("Shift+Tab")
            if focused(page).get("id") != f["arrival"]:
                break
        page.keyboard.press("Tab")
        page.keyboard.type("06012015")
    assert page.eval_on_selector(f"#{f['arrival']}", "e => e.value") == "2015-06-01"
    choose(page, f"#{f['channel']}", presses=1)  # Journal
    tab_to(page, f"#{f['idea']}")
    page.keyboard.type("Plus de pistes cyclables")
    tab_to(page, f"#{f['comment']}")
    page.keyboard.type("Merci pour ce questionnaire.")
    submit(page, "Continuer")

    # Page 3 is the conditional section, shown because the answer was « Oui ».
    assert page.get_by_role("heading", name="Le bus").is_visible()
    assert page.get_by_text("Page 3 sur 3").is_visible()
    choose(page, f"#{f['frequency']}")
    submit(page, "Continuer")

    assert page.get_by_role("heading", name="Relisez vos réponses avant de les envoyer").is_visible()
    summary = page.inner_text("main")
    for expected in ("Logement, Transports", "1. Piste cyclable ; 2. Parc ; 3. Marché", "Piscine : 5 ; Médiathèque : 3",
                     "lundi 1er juin 2015", "18 à 29 ans", "Chaque jour", commune):
        assert expected in summary, (expected, summary)
    assert_accessible(page)
    submit(page, "Envoyer mes réponses")
    assert page.get_by_role("heading", name="Merci pour vos réponses").is_visible()

    # Four others give the same answers; then staff close and publish.
    from participation.core.permissions import SYSTEM
    from participation.extensions import db
    from participation.surveys import services
    from participation.surveys.models import Question, Questionnaire
    from tests.surveys.helpers import respond

    with live_server.app.app_context():
        questionnaire = db.session.get(Questionnaire, questionnaire_id)
        q = {name: db.session.get(Question, i) for name, i in ids.items()}
        for n in range(4):
            respond(questionnaire, q, key=f"clavier-{n}", commune=commune, age="18 à 29 ans")
        services.close_questionnaire(questionnaire, actor=SYSTEM)
        services.publish_results(questionnaire, analysis="Cinq réponses identiques.", public_question_ids=list(ids.values()), actor=SYSTEM)
        db.session.commit()
        db.session.remove()

    page.goto(f"/questionnaires/{questionnaire_id}/resultats")
    assert_accessible(page)
    described = {page.text_content(f"#graphique-{ids[name]}-desc").replace("\u00a0", " ") for name in ("bus", "age", "satisfaction", "frequency", "channel")}
    assert "Oui : 100 % (5) ; Non : 0 % (0)" in described
    assert any("18 à 29 ans : 100 % (5)" in text for text in described)
    assert any("4 : 100 % (5)" in text for text in described)
    assert any("Chaque jour : 100 % (5)" in text for text in described)
    needs = page.text_content(f"#graphique-{ids['needs']}-desc").replace("\u00a0", " ")
    assert "Logement : 100 % (5)" in needs and "Santé : 0 % (0)" in needs
    assert "Piscine : 5 sur 5" in page.text_content(f"#graphique-{ids['services']}-desc")
