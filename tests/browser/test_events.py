"""Check-in on the day, on a phone-sized screen."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser


def test_check_in_works_on_a_375_pixel_wide_screen(new_page):
    page = new_page("agent")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/gestion/evenements/1/accueil")
    page.fill("#q", "Camille")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    card = page.locator(".check-in-list li").filter(has_text="Camille des Tilleuls")
    assert card.count() == 1
    with page.expect_navigation():
        card.get_by_role("button", name="Présent").click()
    assert "Camille des Tilleuls : présent." in page.inner_text(".flash-region")
    assert "Présent" in page.locator(".check-in-list li").filter(has_text="Camille des Tilleuls").inner_text()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"la page défile horizontalement à 375 px : {widths}"
    box = card.get_by_role("button", name="Absent").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 375
    assert_accessible(page)
