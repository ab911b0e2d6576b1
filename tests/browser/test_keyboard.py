"""Keyboard use and visible focus, in Chromium."""

from __future__ import annotations

import pytest

from tests.browser.helpers import RESIDENT, assert_accessible, focused

pytestmark = pytest.mark.browser


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} n'est pas atteint en {limit} tabulations")


@pytest.mark.parametrize("path", ["/", "/compte/connexion", "/mentions-legales"])
def test_first_tab_reaches_skip_link_and_enter_moves_to_content(page, path):
    page.goto(path)
    page.keyboard.press("Tab")
    element = focused(page)
    assert element["tag"] == "a" and element["text"] == "Aller au contenu", element
    assert element["onScreen"], f"Le lien d'évitement focalisé reste hors de l'écran : {element}"

    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'contenu'")
    assert focused(page)["tag"] == "main"
    # The next Tab goes on from the content, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('contenu').contains(document.activeElement)")


def test_login_with_the_keyboard_only(page):
    page.goto("/compte/connexion")
    tab_to(page, "input#email")
    page.keyboard.type(RESIDENT[0])
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(RESIDENT[1])
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "remember"
    page.keyboard.press("Space")
    assert page.is_checked("#remember")
    page.keyboard.press("Tab")
    button = focused(page)
    assert button["tag"] == "button" and button["text"] == "Se connecter", button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/compte/connexion" not in page.url
    assert page.get_by_role("button", name="Se déconnecter").is_visible()


def test_every_link_and_button_shows_its_focus(page):
    """Tab through the home page: every stop has a visible outline on :focus-visible."""
    page.goto("/")
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["tag"] == "body" or (seen and element["text"] == "Aller au contenu"):
            break
        seen.append(element)
        assert element["focusVisible"], f"{element} n'est pas en :focus-visible"
        assert element["outlineStyle"] != "none" and element["outlineWidth"] >= 2, (
            f"Le focus de {element} n'a pas de contour visible"
        )
    assert any(e["tag"] == "a" for e in seen) and len(seen) >= 10, seen


def test_focused_link_in_content_has_outline(page):
    page.goto("/compte/connexion")
    tab_to(page, "main a[href$='/compte/mot-de-passe-oublie']")
    element = focused(page)
    assert element["focusVisible"] and element["outlineStyle"] != "none", element


@pytest.mark.parametrize("path", ["/compte/connexion", "/compte/inscription", "/compte/mot-de-passe-oublie"])
def test_error_summary_takes_focus_after_failed_submit(page, path):
    page.goto(path)
    tab_to(page, "main form.stacked button[type=submit]")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 422
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'erreurs'")
    summary = page.locator("#erreurs")
    assert summary.get_attribute("role") == "alert"
    assert summary.locator("h2").inner_text() == "Le formulaire contient des erreurs"
    # Each error links to its field; following the link puts the focus in the field.
    first = summary.locator("a").first
    target = first.get_attribute("href")
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "a"
    page.keyboard.press("Enter")
    page.wait_for_function("(id) => document.activeElement && document.activeElement.id === id", arg=target[1:])


def test_focused_skip_link_passes_axe(page):
    """Off screen until focused, the skip link escapes axe's contrast check unless it is shown."""
    page.goto("/")
    page.keyboard.press("Tab")
    assert focused(page)["onScreen"]
    assert_accessible(page)
