"""Grant services: the rules of DOMAIN.md, tested directly."""

from __future__ import annotations

import os

import io
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import FileStorage

from participation.core.errors import PermissionDenied, TransitionRefused, ValidationError
from participation.core.eventlog import events_about
from participation.core.models import utcnow
from participation.core.outbox import OutboxMail, deliver_due
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.grants import services as grants
from participation.grants.jobs import send_report_reminders
from participation.grants.models import ApplicationState, DocumentKind, Opinion, PaymentTerms
from tests import factories

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def upload(content=PDF, name="statuts.pdf"):
    return FileStorage(stream=io.BytesIO(content), filename=name)


def _declare(**values):
    values.setdefault("name", "Les Amis du Lavoir")
    values.setdefault("rna", "W372000123")
    values.setdefault("address", "1 place du Lavoir, 37910 Loirande")
    values.setdefault("purpose", "Restaurer le lavoir.")
    values.setdefault("email", "lavoir@example.org")
    return grants.declare_association(actor=factories.user(), **values)


@pytest.mark.parametrize("rna, message", [
    ("372000123", "commence par la lettre W"),
    ("W37200012", "la lettre W puis 9 chiffres"),
    ("", "Indiquez le numéro RNA"),
])
def test_an_invalid_rna_is_refused_with_what_is_wrong(app, rna, message):
    with pytest.raises(ValidationError, match=message) as refused:
        _declare(rna=rna)
    assert refused.value.field == "rna"


@pytest.mark.parametrize("siret, message", [
    ("7328293200007", "14 chiffres ; vous en avez saisi 13"),
    ("73282932000075", "clé de contrôle"),
    ("7328293200007A", "que des chiffres"),
])
def test_an_invalid_siret_is_refused_with_what_is_wrong(app, siret, message):
    with pytest.raises(ValidationError, match=message) as refused:
        _declare(siret=siret)
    assert refused.value.field == "siret"


def test_a_valid_association_is_accepted_and_its_declarer_represents_it(app):
    association = _declare(rna="w 372 000 123", siret="732 829 320 00074")
    assert association.rna == "W372000123" and association.siret == "73282932000074"
    representative = association.representatives[0]
    assert representative.user_id is not None
    assert [e.name for e in events_about(association)] == ["association.declared"]
    with pytest.raises(ValidationError, match="déjà déclarée"):
        _declare(rna="W372000123", name="Doublon")


def test_a_person_may_represent_several_associations_and_invite_a_second_representative(app, mailbox):
    person = factories.user()
    first = factories.association(person)
    second = factories.association(person)
    assert {a.id for a in db.session.scalars(grants.associations_of(person))} == {first.id, second.id}
    invitation = grants.invite_representative(first, email="Tresoriere@Example.org", actor=person)
    mail = db.session.query(OutboxMail).filter_by(template="grants/invitation").one()
    assert mail.recipient == "tresoriere@example.org"
    token = mail.body_text.split("/associations/invitation/")[1].split()[0]
    newcomer = factories.user("tresoriere@example.org")
    stranger = factories.user()
    with pytest.raises(PermissionDenied):
        grants.invite_representative(first, email="x@example.org", actor=stranger)
    grants.accept_invitation(token, actor=newcomer)
    assert invitation.accepted_by_id == newcomer.id
    assert {r.user_id for r in first.representatives} == {person.id, newcomer.id}
    with pytest.raises(Exception, match="déjà été acceptée"):
        grants.accept_invitation(token, actor=stranger)


def test_a_document_is_checked_by_content_and_flagged_when_old(app):
    association = factories.association()
    person = association.representatives[0].user
    with pytest.raises(ValidationError, match="son contenu ne correspond pas") as refused:
        grants.add_document(association, kind=DocumentKind.statutes, upload=upload(b"GIF89a fake", "statuts.pdf"),
                            document_date=date.today(), actor=person)
    assert refused.value.field == "file"
    old = grants.add_document(association, kind=DocumentKind.statutes, upload=upload(), document_date=date.today() - timedelta(days=800), actor=person)
    assert grants.is_outdated(old)
    new = grants.add_document(association, kind=DocumentKind.statutes, upload=upload(), document_date=date.today() - timedelta(days=10), actor=person)
    assert not grants.is_outdated(new)
    assert grants.current_documents(association.id) == {DocumentKind.statutes: new}
    with pytest.raises(PermissionDenied):
        grants.add_document(association, kind=DocumentKind.rib, upload=upload(), document_date=date.today(), actor=factories.user())


def test_an_unbalanced_budget_cannot_be_submitted_and_says_by_how_much(app):
    application = factories.grant_application(budget={"60": 1_000_000, "74": 800_000})
    with pytest.raises(TransitionRefused, match=r"n'est pas équilibré : les charges dépassent les produits de 2\u202f000,00"):
        grants.submit_application(application, actor=application.association.representatives[0].user)
    assert application.state == ApplicationState.draft and application.submitted_at is None


def test_without_the_republican_contract_the_application_cannot_be_submitted(app):
    application = factories.grant_application(sign=False)
    assert application.cer_signed_at is None
    with pytest.raises(TransitionRefused, match="contrat d'engagement républicain"):
        grants.submit_application(application, actor=application.association.representatives[0].user)
    assert application.state == ApplicationState.draft


def test_an_application_submitted_after_the_closing_is_refused(app):
    call = factories.grant_call(opens_in_days=-10, closes_in_days=5)
    application = factories.grant_application(call)
    call.closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(TransitionRefused, match="clos depuis"):
        grants.submit_application(application, actor=application.association.representatives[0].user)
    assert application.state == ApplicationState.draft


def test_required_documents_must_be_on_file(app):
    call = factories.grant_call(required=[DocumentKind.statutes, DocumentKind.rib])
    application = factories.grant_application(call)
    person = application.association.representatives[0].user
    with pytest.raises(TransitionRefused, match="Statuts, Relevé d'identité bancaire"):
        grants.submit_application(application, actor=person)
    for kind in (DocumentKind.statutes, DocumentKind.rib):
        grants.add_document(application.association, kind=kind, upload=upload(), document_date=date.today(), actor=person)
    grants.submit_application(application, actor=person)
    assert application.state == ApplicationState.submitted


def test_another_association_may_not_apply_or_edit(app):
    application = factories.grant_application()
    stranger = factories.association().representatives[0].user
    with pytest.raises(PermissionDenied):
        grants.submit_application(application, actor=stranger)
    with pytest.raises(PermissionDenied):
        grants.save_application(application, actor=stranger, budget={})


def test_instruction_sends_back_for_completion_and_the_association_resubmits(app):
    application = factories.submitted_application()
    person = application.association.representatives[0].user
    instructor = factories.staff()
    with pytest.raises(PermissionDenied):
        grants.start_review(application, actor=person)
    grants.start_review(application, actor=instructor)
    grants.add_note(application, body="Budget réaliste.", actor=instructor)
    grants.record_proposal(application, amount_cents=800_000, opinion=Opinion.favourable, reason="Projet solide", actor=instructor)
    grants.request_completion(application, missing="Le devis du traiteur.", actor=instructor)
    assert application.state == ApplicationState.incomplete
    grants.save_application(application, actor=person, budget={}, place="Salle des fêtes")
    grants.resubmit_application(application, actor=person)
    assert application.state == ApplicationState.under_review
    names = [e.name for e in events_about(application)]
    assert names[-3:] == ["grant_application.completion_requested", "grant_application.updated", "grant_application.resubmitted"]


def test_a_closed_case_is_reopened_only_by_an_admin_with_a_reason(app):
    application = factories.submitted_application()
    grants.start_review(application, actor=SYSTEM)
    grants.refuse(application, reason="Hors du champ de l'appel.", decided_on=date.today(), reference=None, actor=SYSTEM)
    with pytest.raises(PermissionDenied):
        grants.reopen(application, reason="Erreur", actor=factories.staff())
    with pytest.raises(ValidationError):
        grants.reopen(application, reason=" ", actor=factories.admin())
    grants.reopen(application, reason="Pièce reçue après coup.", actor=factories.admin())
    assert application.state == ApplicationState.under_review
    assert events_about(application)[-1].data["reason"] == "Pièce reçue après coup."


def test_granting_24000_blocks_payment_until_the_convention_is_recorded(app):
    application = factories.granted_application(amount_euros=24_000)
    staff = factories.admin()
    assert grants.convention_required(application)
    with pytest.raises(TransitionRefused, match="aucun versement avant l'enregistrement de la convention"):
        grants.record_payment(application, amount_cents=1_000_000, paid_on=date.today(), actor=staff)
    assert application.payments == []
    grants.record_convention(application, signed_on=date.today(), actor=staff)
    grants.record_payment(application, amount_cents=1_000_000, paid_on=date.today(), actor=staff)
    grants.record_payment(application, amount_cents=1_400_000, paid_on=date.today(), actor=staff)
    assert application.paid_cents == 2_400_000
    with pytest.raises(TransitionRefused, match="entièrement versée"):
        grants.record_payment(application, amount_cents=1, paid_on=date.today(), actor=staff)


def test_two_grants_of_the_year_above_23000_together_need_a_convention(app):
    association = factories.association()
    staff = factories.admin()
    first = factories.granted_application(association_=association, amount_euros=15_000)
    assert not grants.convention_required(first)
    grants.record_payment(first, amount_cents=500_000, paid_on=date.today(), actor=staff)
    second = factories.granted_application(association_=association, amount_euros=9_000)
    assert grants.convention_required(second) and grants.convention_required(first)
    with pytest.raises(TransitionRefused, match="convention"):
        grants.record_payment(second, amount_cents=900_000, paid_on=date.today(), actor=staff)
    with pytest.raises(TransitionRefused, match="convention"):
        grants.record_payment(first, amount_cents=500_000, paid_on=date.today(), actor=staff)


def test_a_grant_of_last_year_does_not_count_for_this_year(app):
    association = factories.association()
    factories.granted_application(association_=association, amount_euros=20_000, decided_on=date(date.today().year - 1, 6, 1))
    application = factories.granted_application(association_=association, amount_euros=20_000)
    assert not grants.convention_required(application)
    assert grants.payment_refusal(application) is None


def test_above_half_the_budget_or_75000_a_certified_balance_sheet_is_required(app):
    staff = factories.admin()
    association = factories.association(annual_budget_cents=3_000_000)
    application = factories.granted_application(association_=association, amount_euros=16_000)
    grants.record_convention(application, signed_on=date.today(), actor=staff)
    assert grants.certified_balance_required(application)
    with pytest.raises(TransitionRefused, match="bilan certifié"):
        grants.record_payment(application, amount_cents=100, paid_on=date.today(), actor=staff)
    grants.add_document(association, kind=DocumentKind.certified_balance_sheet, upload=upload(), document_date=date.today(),
                        actor=association.representatives[0].user)
    grants.record_payment(application, amount_cents=100, paid_on=date.today(), actor=staff)
    big = factories.granted_application(amount_euros=76_000)
    assert grants.certified_balance_required(big)


def test_thresholds_are_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "GRANTS_CONVENTION_THRESHOLD_EUROS", 5_000)
    application = factories.granted_application(amount_euros=6_000)
    assert grants.convention_required(application)


def test_the_report_is_due_six_months_after_the_end_of_the_financial_year(app):
    association = factories.association(financial_year_end_month=12)
    application = factories.granted_application(association_=association, end_date=date(2026, 10, 1), start_date=date(2026, 9, 1),
                                                decided_on=date(2026, 6, 1))
    assert application.report_due_on == date(2027, 6, 30)
    running = factories.granted_application(purpose_kind=grants.PurposeKind.running)
    assert running.report_due_on is None


def test_report_reminders_go_out_at_30_and_7_days_and_when_late_each_once(app, mailbox):
    application = factories.granted_application()
    due = application.report_due_on
    deliver_due()
    mailbox.clear()

    def run(days_before):
        send_report_reminders(today=due - timedelta(days=days_before))
        deliver_due()

    run(45)
    assert mailbox == []
    run(30)
    run(29)
    assert len(mailbox) == 1 and "attendu avant le" in mailbox[0].subject
    run(7)
    run(3)
    assert len(mailbox) == 2
    run(-1)
    run(-20)
    assert len(mailbox) == 3 and "en retard" in mailbox[2].subject
    assert "/compte-rendu" in mailbox[2].text


def test_a_filed_report_stops_the_reminders_and_is_acknowledged(app, mailbox):
    application = factories.granted_application()
    person = application.association.representatives[0].user
    report = grants.submit_report(application, narrative="Fête réalisée, 300 personnes.", lines={"60": (1_000_000, 900_000), "74": (1_000_000, 1_000_000)},
                                  actor=person)
    assert [line.account for line in report.lines] == ["60", "74"]
    assert send_report_reminders(today=application.report_due_on + timedelta(days=3)) == 0
    assert db.session.query(OutboxMail).filter_by(template="grants/report_received").count() == 1
    with pytest.raises(TransitionRefused, match="déjà été transmis"):
        grants.submit_report(application, narrative="x", lines={"60": (1, 1)}, actor=person)
    grants.accept_report(report, actor=factories.admin())
    assert report.state.value == "accepted"


def test_the_notices_tell_the_association_each_step(app, mailbox):
    application = factories.granted_application(amount_euros=24_000)
    staff = factories.admin()
    grants.record_convention(application, signed_on=date.today(), actor=staff)
    grants.record_payment(application, amount_cents=2_400_000, paid_on=date.today(), actor=staff)
    refused = factories.submitted_application()
    grants.start_review(refused, actor=staff)
    grants.refuse(refused, reason="Le projet ne concerne pas le territoire.", decided_on=date.today(), reference="DEL-9", actor=staff)
    deliver_due()
    subjects = [m.subject for m in mailbox]
    assert any(s.startswith("Accusé de réception") for s in subjects)
    assert any("Subvention accordée : 24" in s for s in subjects)
    assert any("convention est à signer" in s for s in subjects)
    assert any(s.startswith("Versement de 24") for s in subjects)
    refusal = next(m for m in mailbox if "non accordée" in m.subject)
    assert "Le projet ne concerne pas le territoire." in refusal.text
    receipt = next(m for m in mailbox if m.subject.startswith("Accusé de réception"))
    assert f"/subventions/demandes/{application.id}/demande.pdf" in receipt.text


def test_the_receipt_carries_the_application_as_a_pdf(app, mailbox):
    from participation.core.pdf import pdf_available

    if not pdf_available():
        if os.environ.get("REQUIRE_PDF") == "1":
            pytest.fail("WeasyPrint ne peut pas se charger alors que REQUIRE_PDF=1.")
        pytest.skip("WeasyPrint ne peut pas se charger (Pango manquant).")
    application = factories.submitted_application()
    deliver_due()
    receipt = next(m for m in mailbox if m.subject == f"Accusé de réception : demande de subvention n° {application.id}")
    [attachment] = list(receipt.message.iter_attachments())
    assert attachment.get_filename() == f"demande-subvention-{application.id}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    from tests.pdfcheck import check_official_pdf

    check_official_pdf(attachment.get_content(), kind="SUBV")
    assert "joint à ce courriel" in receipt.text


def test_payment_terms_keep_the_scdl_values():
    assert [t.value for t in PaymentTerms] == ["unique", "échelonné", "autre"]
