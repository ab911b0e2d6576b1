"""The yearly rapport d'activité: figures computed from data the test builds, the snapshot kept at publication,
refusals that change nothing, who sees what, the council's page, the PDF and the query counts."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
import sqlalchemy as sa

from participation.core.errors import DomainError, PermissionDenied, TransitionRefused, ValidationError
from participation.core.pdf import pdf_available
from participation.core.permissions import SYSTEM
from participation.councils.extras import (add_group_member, cancel_training_registration, create_group, create_training,
                                           register_for_training)
from participation.councils.models import Answer
from participation.councils.sittings import answer_convocation, cancel_sitting, mark_attendance
from participation.extensions import db
from participation.notifications.models import Notification
from participation.referrals import report as reports
from participation.referrals import services
from participation.referrals.models import ActivityReport, ActivityReportState, RecommendationStatus, ReferralKind
from tests import factories
from tests.factories import PASSWORD
from tests.referrals.conftest import drafted, new_referral, sitting_with_quorum


def at(year: int, month: int, day: int, hour: int = 18, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def year(app) -> int:
    """Last year: a whole year, over, whatever today's date."""
    return reports.current_year() - 1


def held_sitting(s, when: datetime, *, present=(), represented=(), mark: bool = True):
    """A plenary convened, answered beforehand, then held at ``when`` with its attendance marked on the day."""
    sitting = factories.sitting(s.council, days=1, publish=True)
    for seat in represented:
        answer_convocation(sitting, answer=Answer.represented, proxy=s.president, actor=seat.user)
    sitting.starts_at = when
    if mark:
        mark_attendance(sitting, {seat.id for seat in present}, actor=SYSTEM)
    return sitting


def adopt(s, referral, *, voted_on: date, votes=(3, 0, 0)):
    drafted(s, referral)
    votes_for, votes_against, abstentions = votes
    services.record_vote(referral.opinion, sitting=sitting_with_quorum(s), votes_for=votes_for, votes_against=votes_against,
                         abstentions=abstentions, present=3, voted_on=voted_on, actor=s.staff)
    services.publish_opinion(referral.opinion, actor=s.staff)
    return referral


def answer(s, referral, *, transmitted: datetime, answered: datetime, statuses=()):
    services.transmit(referral, actor=s.staff, now=transmitted)
    for rec, status in zip(referral.opinion.recommendations, statuses, strict=False):
        services.set_recommendation_status(rec, status=status, explanation="Voici la suite.", department=s.department, actor=s.staff)
    services.answer(referral, general_answer="Merci au conseil.", actor=s.staff)
    referral.answered_at = answered


def training(s, when: datetime, *, registered=(), cancelled=()):
    item = create_training(s.council, title=f"Formation {when:%d/%m}", description="", starts_at=at(2099, 1, 1), ends_at=None,
                           place="Salle 3", capacity=10, actor=SYSTEM)
    for seat in (*registered, *cancelled):
        register_for_training(item, actor=seat.user)
    for seat in cancelled:
        cancel_training_registration(item, actor=seat.user)
    item.starts_at = when
    return item


def build_year(s, year: int):
    """A year of a council's life, with what belongs to the year next to what does not."""
    # Received in the year: one obligatoire, two facultatives (one on its last day), one auto-saisine.
    mandatory = new_referral(s, kind=ReferralKind.mandatory, subject="Projet de territoire", received_on=date(year, 2, 3))
    optional = new_referral(s, subject="Plan de mobilité", received_on=date(year, 4, 15))
    new_referral(s, subject="Schéma cyclable", received_on=date(year, 12, 31))
    own = services.propose(s.council, subject="Le logement des jeunes", question="Comment ?", actor=s.member.user)
    own.received_on = date(year, 3, 1)
    services.accept(own, actor=s.president.user)
    # Not in the year: the days around it, and a proposal the bureau has not accepted.
    new_referral(s, subject="Avant", received_on=date(year - 1, 12, 31))
    new_referral(s, subject="Après", received_on=date(year + 1, 1, 1))
    pending = services.propose(s.council, subject="Proposition en attente", question="?", actor=s.member.user)
    pending.received_on = date(year, 3, 2)

    # Two opinions adopted in the year; the authority answers the first in time, the second late.
    adopt(s, mandatory, voted_on=date(year, 5, 2))
    adopt(s, optional, voted_on=date(year, 6, 20), votes=(2, 1, 0))
    answer(s, mandatory, transmitted=at(year, 5, 10), answered=at(year, 7, 1),
           statuses=(RecommendationStatus.retained, RecommendationStatus.partly_retained))
    answer(s, optional, transmitted=at(year, 7, 1), answered=at(year, 11, 5), statuses=(RecommendationStatus.not_retained,))

    # Sittings: full (one member represented), a third present, attendance not marked; a cancelled one and one that,
    # at 23:30 UTC on 31 December, is already on 1 January in Paris, do not count.
    held_sitting(s, at(year, 3, 12), present=(s.president, s.writer), represented=(s.member,))
    held_sitting(s, at(year, 6, 20), present=(s.president,))
    held_sitting(s, at(year, 9, 1), mark=False)
    cancelled = factories.sitting(s.council, days=1, publish=True, title="Séance annulée")
    cancel_sitting(cancelled, actor=SYSTEM)
    cancelled.starts_at = at(year, 10, 1)
    held_sitting(s, at(year, 12, 31, 23, 30), mark=False)

    # Working groups: the one the referrals went to, with two members, and a new one still empty.
    add_group_member(s.group, s.member, actor=SYSTEM)
    housing = create_group(s.council, name="Logement", purpose="", lead=None, actor=SYSTEM)
    housing.created_at = at(year, 9, 1)

    # Trainings: two members registered (a third cancelled), a cancelled training, one the year after.
    training(s, at(year, 10, 5, 9), registered=(s.writer, s.member), cancelled=(s.president,))
    training(s, at(year, 10, 6, 9), registered=(s.writer,)).cancelled = True
    training(s, at(year + 1, 1, 2, 9), registered=(s.writer,))
    db.session.flush()


def test_the_figures_of_a_year(setup, year):
    build_year(setup, year)
    figures = reports.activity_figures(setup.council, year)

    assert [r.subject for r in figures.referrals] == ["Projet de territoire", "Le logement des jeunes", "Plan de mobilité", "Schéma cyclable"]
    assert figures.referrals_by_kind == [("Saisine obligatoire", 1), ("Saisine facultative", 2), ("Auto-saisine", 1)]
    assert [(r.subject, r.group) for r in figures.referrals][:1] == [("Projet de territoire", "Mobilités")]

    assert [(a.subject, a.answered_on, a.on_time) for a in figures.answers] == [
        ("Projet de territoire", date(year, 7, 1), True), ("Plan de mobilité", date(year, 11, 5), False)]
    assert figures.answered_on_time == 1

    assert [(o.subject, o.voted_on, o.votes_for, o.votes_against, o.abstentions, o.present, o.members) for o in figures.opinions] == [
        ("Projet de territoire", date(year, 5, 2), 3, 0, 0, 3, 3), ("Plan de mobilité", date(year, 6, 20), 2, 1, 0, 3, 3)]

    assert figures.recommendations_total == 4
    assert figures.take_up == [("Retenue", 1, 25), ("Partiellement retenue", 1, 25), ("Non retenue", 1, 25), ("À l'étude", 0, 0),
                               ("En attente de réponse", 1, 25)]

    assert [(s.starts_at, s.convened, s.present, s.represented, s.rate) for s in figures.sittings] == [
        (at(year, 3, 12), 3, 2, 1, 100), (at(year, 6, 20), 3, 1, 0, 33), (at(year, 9, 1), 0, 0, 0, None)]
    assert figures.attendance == (4, 6, 67)
    assert figures.sittings_by_kind == ["3 séances plénières"]

    assert [(g.name, g.members, g.referrals) for g in figures.groups] == [
        ("Logement", 0, []), ("Mobilités", 2, ["Projet de territoire", "Plan de mobilité"])]
    assert [(t.starts_at, t.participants) for t in figures.trainings] == [(at(year, 10, 5, 9), 2)]


def test_the_page_shows_the_figures_a_reader_checks(setup, year, client):
    build_year(setup, year)
    setup.council.mandate_start = date(year, 1, 1)
    item = reports.create_report(setup.council, year=year, actor=setup.staff)
    reports.edit_report(item, introduction="Une **belle** année.", outlook="Faire mieux.", actor=setup.staff)
    reports.publish_report(item, actor=setup.staff)
    db.session.flush()
    html = client.get(f"/saisines/rapports/{setup.council.slug}/{year}").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert f"Rapport d'activité {year} du {setup.council.name}" in text
    assert "<strong>belle</strong>" in html and "Perspectives et remarques" in text and "Faire mieux." in text
    assert "le conseil a reçu 4 saisines" in text
    assert "Saisine obligatoire 1" in text and "Saisine facultative 2" in text and "Auto-saisine 1" in text and "Total 4" in text
    assert "la collectivité a répondu à 2 avis du conseil, dont 1 dans le délai prévu" in text
    assert "Retenue 1 25 %" in text and "En attente de réponse 1 25 %" in text
    assert "le conseil s'est réuni 3 fois : 3 séances plénières" in text
    assert "Taux de présence : 67 % (4 présences ou procurations pour 6 convocations ; la présence n'a pas été relevée pour 1 réunion)" in text
    assert "Mobilités 2 2 : Projet de territoire ; Plan de mobilité" in text
    # Accessible tables: a caption, headers with their scope; headings in order.
    assert html.count("<caption>") == html.count("<table") and 'scope="col"' in html and 'scope="row"' in html
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html.split('id="contenu"', 1)[1])]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_a_draft_follows_the_data_and_a_published_report_keeps_its_snapshot(setup, client):
    year = reports.current_year()
    item = reports.create_report(setup.council, year=year, actor=setup.staff)
    new_referral(setup, subject="Première saisine")
    assert len(reports.figures_of(item).referrals) == 1
    new_referral(setup, subject="Deuxième saisine")
    assert len(reports.figures_of(item).referrals) == 2  # a draft shows the data as it is now

    reports.edit_report(item, introduction="Notre année.", outlook="", actor=setup.staff)
    reports.publish_report(item, actor=setup.staff)
    new_referral(setup, subject="Troisième saisine")
    db.session.flush()
    db.session.expire_all()
    item = db.session.get(ActivityReport, item.id)
    assert item.state == ActivityReportState.published and item.published_at is not None
    assert [r.subject for r in reports.figures_of(item).referrals] == ["Première saisine", "Deuxième saisine"]
    assert len(reports.activity_figures(setup.council, year).referrals) == 3
    html = client.get(f"/saisines/rapports/{setup.council.slug}/{year}").get_data(as_text=True)
    assert "le conseil a reçu 2 saisines" in html and "Troisième saisine" not in html

    # The members are told once, with a link to the report.
    notices = db.session.scalars(sa.select(Notification).where(Notification.dedup_key.like(f"activity_report.published:{item.id}:%"))).all()
    assert {n.user_id for n in notices} == {setup.president.user_id, setup.writer.user_id, setup.member.user_id}
    assert notices[0].url == f"/saisines/rapports/{setup.council.slug}/{year}"


def _refused(call, error=DomainError, field: str | None = None) -> str:
    with pytest.raises(error) as raised:
        call()
    assert raised.value.field == field
    return raised.value.message


def test_refusals_are_in_french_and_change_nothing(setup):
    year = reports.current_year()
    item = reports.create_report(setup.council, year=year, actor=setup.staff)
    assert "n'a pas commencé" in _refused(lambda: reports.create_report(setup.council, year=year + 1, actor=setup.staff),
                                          ValidationError, "year")
    assert "n'existait pas encore" in _refused(lambda: reports.create_report(setup.council, year=year - 1, actor=setup.staff),
                                               ValidationError, "year")
    assert "existe déjà" in _refused(lambda: reports.create_report(setup.council, year=year, actor=setup.staff), ValidationError, "year")
    assert "introduction" in _refused(lambda: reports.publish_report(item, actor=setup.staff), TransitionRefused)
    assert item.state == ActivityReportState.draft and item.figures is None and item.published_at is None

    reports.edit_report(item, introduction="Notre année.", outlook="La suite.", actor=setup.staff)
    reports.publish_report(item, actor=setup.staff)
    published_at, figures = item.published_at, item.figures
    assert "ne se modifient plus" in _refused(
        lambda: reports.edit_report(item, introduction="Autre chose.", outlook="", actor=setup.staff), TransitionRefused)
    assert "déjà publié" in _refused(lambda: reports.publish_report(item, actor=setup.staff), TransitionRefused)
    assert (item.introduction, item.outlook, item.published_at, item.figures) == ("Notre année.", "La suite.", published_at, figures)
    assert db.session.scalar(sa.select(sa.func.count(ActivityReport.id))) == 1
    # A year before the council existed is allowed once its mandate is known to start then.
    setup.council.mandate_start = date(year - 1, 9, 1)
    assert reports.create_report(setup.council, year=year - 1, actor=setup.staff).year == year - 1


def test_staff_prepare_and_publish_through_the_pages(setup, client):
    year = reports.current_year()
    db.session.flush()
    client.login("agent@example.org", PASSWORD)
    assert "Rapports d'activité annuels" in client.get(f"/gestion/conseils/{setup.council.id}").get_data(as_text=True)
    listing = f"/gestion/saisines/rapports?conseil={setup.council.slug}"
    created = client.submit(f"/gestion/saisines/rapports/nouveau/{setup.council.slug}", {"year": year}, form_path=listing)
    assert created.status_code == 302
    item = db.session.scalar(sa.select(ActivityReport).where(ActivityReport.council_id == setup.council.id))
    path = f"/gestion/saisines/rapports/{item.id}"
    again = client.submit(f"/gestion/saisines/rapports/nouveau/{setup.council.slug}", {"year": year}, form_path=listing)
    assert again.status_code == 422 and f"Le rapport d'activité {year} de ce conseil existe déjà." in unescape(again.get_data(as_text=True))

    refused = client.submit(f"{path}/publication", form_path=path)
    assert refused.status_code == 302
    assert "Rédigez l'introduction" in unescape(client.get(path).get_data(as_text=True))
    assert client.submit(path, {"introduction": "Une année **riche**.", "outlook": "Continuer.", "based_on": 0}).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "<strong>riche</strong>" in page and "Les saisines reçues" in page and "n'est pas terminée" in page
    assert client.submit(f"{path}/publication", form_path=path).status_code == 302
    db.session.expire_all()
    assert db.session.get(ActivityReport, item.id).state == ActivityReportState.published
    late = client.submit(path, {"introduction": "Trop tard.", "outlook": "", "based_on": 1}, form_path=listing)
    assert late.status_code == 422 and "ne se modifient plus" in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ActivityReport, item.id).introduction == "Une année **riche**."


def test_a_draft_is_for_staff_only(setup, client):
    year = reports.current_year()
    item = reports.create_report(setup.council, year=year, actor=setup.staff)
    reports.edit_report(item, introduction="Notre année.", outlook="", actor=setup.staff)
    db.session.flush()
    public = f"/saisines/rapports/{setup.council.slug}/{year}"
    staff_page = f"/gestion/saisines/rapports/{item.id}"
    assert client.get(public).status_code == 404 and client.get(f"{public}.pdf").status_code == 404
    assert client.get(staff_page).status_code == 302 and client.get("/gestion/saisines/rapports").status_code == 302
    with pytest.raises(PermissionDenied):
        reports.create_report(setup.council, year=year - 1, actor=setup.member.user)

    client.login("membre@example.org", PASSWORD)
    assert client.get(public).status_code == 404
    assert client.get(staff_page).status_code == 403 and client.get("/gestion/saisines/rapports").status_code == 403
    assert client.submit(f"{staff_page}/publication", form_path="/compte/profil").status_code == 403
    assert client.get(f"/conseils/{setup.council.slug}").get_data(as_text=True).count("Rapport d'activité") == 0

    client.submit("/compte/deconnexion", {})
    client.login("agent@example.org", PASSWORD)
    assert client.get(public).status_code == 200
    assert client.post(f"{staff_page}/publication").status_code == 400  # no CSRF token
    assert client.post(f"/gestion/saisines/rapports/nouveau/{setup.council.slug}", data={"year": year}).status_code == 400
    db.session.expire_all()
    assert db.session.get(ActivityReport, item.id).state == ActivityReportState.draft
    assert db.session.scalar(sa.select(sa.func.count(ActivityReport.id))) == 1


def test_the_council_page_lists_the_published_reports(setup, client, count_queries):
    year = reports.current_year()
    setup.council.mandate_start = date(year - 3, 1, 1)
    council_page = f"/conseils/{setup.council.slug}"
    first = reports.create_report(setup.council, year=year - 3, actor=setup.staff)
    reports.edit_report(first, introduction="Une année.", outlook="", actor=setup.staff)
    reports.publish_report(first, actor=setup.staff)
    reports.create_report(setup.council, year=year, actor=setup.staff)  # a draft: not listed
    db.session.flush()
    with count_queries() as few:
        html = client.get(council_page).get_data(as_text=True)
    assert f'href="/saisines/rapports/{setup.council.slug}/{year - 3}"' in html
    assert f"/saisines/rapports/{setup.council.slug}/{year}\"" not in html
    for y in (year - 2, year - 1):
        item = reports.create_report(setup.council, year=y, actor=setup.staff)
        reports.edit_report(item, introduction="Une année.", outlook="", actor=setup.staff)
        reports.publish_report(item, actor=setup.staff)
    db.session.flush()
    with count_queries() as more:
        html = client.get(council_page).get_data(as_text=True)
    assert html.index(f"Rapport d'activité {year - 1}") < html.index(f"Rapport d'activité {year - 3}")
    assert more.count == few.count


def _one_more_of_everything(s, year: int, i: int):
    referral = new_referral(s, subject=f"Saisine {i}", received_on=date(year, 2, 1 + i))
    adopt(s, referral, voted_on=date(year, 3, 1 + i))
    answer(s, referral, transmitted=at(year, 4, 1 + i), answered=at(year, 5, 1 + i), statuses=(RecommendationStatus.retained,))
    held_sitting(s, at(year, 6, 1 + i), present=(s.president, s.writer))
    training(s, at(year, 7, 1 + i), registered=(s.writer,))
    group = create_group(s.council, name=f"Groupe {i}", purpose="", lead=s.member, actor=SYSTEM)
    group.created_at = at(year, 1, 1 + i)
    db.session.flush()


def test_query_counts_do_not_grow_with_the_year(setup, year, client, count_queries):
    setup.council.mandate_start = date(year, 1, 1)
    _one_more_of_everything(setup, year, 0)
    item = reports.create_report(setup.council, year=year, actor=setup.staff)
    db.session.flush()
    client.login("agent@example.org", PASSWORD)
    staff_page, public = f"/gestion/saisines/rapports/{item.id}", f"/saisines/rapports/{setup.council.slug}/{year}"
    with count_queries() as few_staff:
        assert client.get(staff_page).status_code == 200
    with count_queries() as few_public:
        assert client.get(public).status_code == 200
    council = db.session.get(type(setup.council), setup.council.id)  # loaded again after the requests
    with count_queries() as figures_queries:
        small = reports.activity_figures(council, year)
    for i in range(1, 5):
        _one_more_of_everything(setup, year, i)
    with count_queries() as more_staff:
        html = client.get(staff_page).get_data(as_text=True)
    with count_queries() as more_public:
        assert client.get(public).status_code == 200
    assert "le conseil a reçu 5 saisines" in html and len(small.referrals) == 1
    assert (more_staff.count, more_public.count) == (few_staff.count, few_public.count)
    assert figures_queries.count == 7


@pytest.mark.skipif(not pdf_available() and not os.environ.get("REQUIRE_PDF"), reason="WeasyPrint indisponible")
def test_the_pdf_opens_and_carries_the_figures(setup, year, client):
    from io import BytesIO

    from pypdf import PdfReader

    build_year(setup, year)
    setup.council.mandate_start = date(year, 1, 1)
    item = reports.create_report(setup.council, year=year, actor=setup.staff)
    reports.edit_report(item, introduction="Une année d'installation.", outlook="Des séances en soirée.", actor=setup.staff)
    reports.publish_report(item, actor=setup.staff)
    db.session.flush()
    response = client.get(f"/saisines/rapports/{setup.council.slug}/{year}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(BytesIO(response.data)).pages)
    assert f"Rapport d'activité {year} du {setup.council.name}" in text
    assert "Une année d'installation." in text and "Des séances en soirée." in text
    assert "le conseil a reçu 4 saisines" in text
    assert "Taux de présence : 67 %" in text
    assert "dont 1 dans le délai prévu" in text
    from tests.pdfcheck import check_official_pdf

    check_official_pdf(response.data, kind="RAPP", title=str(year))


def test_the_demo_has_a_published_report_and_a_draft(app, client):
    from participation import demo
    from participation.councils.models import Council

    demo.load()
    published, draft = db.session.scalars(sa.select(ActivityReport).order_by(ActivityReport.id)).all()
    assert published.state == ActivityReportState.published and draft.state == ActivityReportState.draft
    figures = reports.figures_of(published)
    assert [o.subject for o in figures.opinions] == ["Plan de mobilité du Val de Loirande"]
    assert figures.attendance[2] is not None and figures.groups
    cdd = db.session.get(Council, published.council_id)
    page = client.get(f"/conseils/{cdd.slug}").get_data(as_text=True)
    assert f'href="/saisines/rapports/{cdd.slug}/{published.year}"' in page
    assert client.get(f"/saisines/rapports/{cdd.slug}/{published.year}").status_code == 200
    assert client.get(f"/saisines/rapports/{draft.council.slug}/{draft.year}").status_code == 404
