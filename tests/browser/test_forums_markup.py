"""A contribution holding markup meant to run script stays harmless in a real browser."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.extensions import db

pytestmark = pytest.mark.browser

HOSTILE = (
    "<script>window.__pwned = 'script'</script>\n\n"
    "<img src=x onerror=\"window.__pwned = 'onerror'\">\n\n"
    "[Cliquez ici](javascript:window.__pwned='lien') et <a href=\"javascript:window.__pwned='a'\">là</a>"
)


@pytest.fixture
def hostile_topic(live_server):
    """A topic opened through the live application's services, with a hostile contribution."""
    from participation.accounts.models import User
    from participation.forums import services
    from participation.forums.models import Consultation

    with live_server.app.app_context():
        consultation = db.session.scalar(sa.select(Consultation).where(Consultation.title == "Plan vélo intercommunal"))
        author = db.session.scalar(sa.select(User).where(User.email == "jules@demo.example"))
        author.created_at = author.created_at  # old enough to post links
        topic = services.open_topic(consultation, title="Sujet piégé", body=HOSTILE, actor=author)
        db.session.commit()
        path = f"/concertations/{consultation.id}/sujets/{topic.id}"
        db.session.remove()
    return path


def test_script_onerror_and_javascript_links_do_nothing(new_page, hostile_topic, recorder):
    page = new_page()
    page.goto(hostile_topic)
    page.wait_for_load_state("load")
    body = page.locator(".contribution .prose").first
    assert "window.__pwned" in body.inner_text()  # shown as text
    assert page.locator(".contribution script").count() == 0
    assert page.locator(".contribution img").count() == 0
    assert page.locator(".contribution [onerror]").count() == 0
    assert page.locator(".contribution a[href^='javascript:']").count() == 0
    for link in page.locator(".contribution .prose a").all():
        link.click(no_wait_after=True)
    assert page.evaluate("window.__pwned === undefined")


def test_the_unsubscribe_page_from_a_mail_and_the_presentation_image(new_page, live_server):
    """The page a mail's « ne plus suivre » link opens, without logging in; the consultation's image loads."""
    from participation.accounts.models import User
    from participation.forums import services
    from tests.browser.helpers import assert_accessible, assert_reflows

    with live_server.app.app_context():
        person = db.session.scalar(sa.select(User).where(User.email == "roger@demo.example"))
        path = f"/concertations/desabonnement/{services.unfollow_token(person)}"
        db.session.remove()
    page = new_page()
    page.goto(path)
    assert page.locator("h1").inner_text() == "Ne plus suivre les sujets des concertations"
    assert_accessible(page)
    assert_reflows(page)

    page.goto("/concertations/1")
    image = page.locator("figure.consultation-image img").first
    assert image.get_attribute("alt")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
