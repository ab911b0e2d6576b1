"""What a newcomer meets first: the home page, the main menu on a phone, the breadcrumb, « Mon espace »."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, assert_reflows, focused

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_the_home_page_shows_what_is_happening_and_passes_axe(new_page, size):
    page = new_page()
    page.set_viewport_size(size)
    page.goto("/")
    for heading in ("Concertations ouvertes", "Prochains événements", "Prochaines séances des conseils", "Derniers avis publiés"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("link", name="Plan vélo intercommunal").first.is_visible()
    assert_accessible(page)
    assert_reflows(page, size["width"])


def test_on_a_phone_the_menu_is_one_button_that_opens_and_closes_with_the_keyboard(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto("/")
    button = page.get_by_role("button", name="Menu")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert not page.locator("#rubriques").is_visible()
    header_height = page.locator(".main-nav").bounding_box()["height"]
    assert header_height < 80, "the folded menu takes one row"
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="Concertations", exact=True).first.is_visible()
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Conseils"
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not page.locator("#rubriques").is_visible()
    assert focused(page)["text"] == "Menu"
    page.keyboard.press("Space")
    assert button.get_attribute("aria-expanded") == "true"
    assert_accessible(page)


def test_on_a_wide_screen_the_sections_show_without_a_button(new_page):
    page = new_page()
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("navigation", name="Rubriques principales").get_by_role("link", name="Subventions").is_visible()


def test_without_javascript_the_sections_stay_reachable(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto("/")
        assert page.get_by_role("navigation", name="Rubriques principales").get_by_role("link", name="Agenda").is_visible()
        assert page.locator(".menu-button").is_hidden()
    finally:
        context.close()


def test_the_public_breadcrumb_is_a_line_of_links_not_a_numbered_list(new_page):
    page = new_page()
    page.goto("/concertations/1/sujets/1")
    style = page.locator(".breadcrumb ol").evaluate("el => [getComputedStyle(el).listStyleType, getComputedStyle(el).display]")
    assert style == ["none", "flex"]


def test_the_agenda_on_a_phone_reads_without_sideways_scrolling(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto("/agenda/?vue=grille")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.goto("/agenda/")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_member_reaches_mon_espace_from_the_header(new_page):
    page = new_page("conseiller")
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    page.get_by_role("navigation", name="Mon compte").get_by_role("link", name="Mon espace").click()
    page.wait_for_url("**/mon-espace")
    assert page.get_by_role("link", name="Conseil de développement du Val de Loirande").is_visible()
    assert page.get_by_role("link", name="Séance plénière : projet de territoire").is_visible()
    assert page.get_by_role("link", name="Projet d'avis : Projet de territoire 2026-2032").is_visible()
    assert_accessible(page)
