"""Demo grants: two associations, an open call and a closed one, applications at each step."""

from __future__ import annotations

import io
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from participation.accounts.models import User
from participation.core import outbox
from participation.core.demo_dates import closing, opening
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.grants import services
from participation.grants.models import DocumentKind, Opinion, PaymentTerms, PurposeKind
from participation.territory.models import Department, Theme

# A one-page blank PDF: the demo's documents.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _application(call, association, person, *, title, requested, **values):
    application = services.start_application(call, association, actor=person)
    services.save_application(
        application, actor=person, sign_cer=True, signatory=f"{person.display_name}, présidente",
        budget={"60": requested, "64": requested, "74": requested, "70": requested},
        project_title=title, goals="Créer du lien entre les habitants du quartier.", audience="Habitants de tous âges",
        place="Loirande", expected_results="300 participants", evaluation="Questionnaire de satisfaction",
        amount_requested_cents=requested, purpose_kind=values.pop("purpose_kind", PurposeKind.project), **values,
    )
    return application


def load_grants_demo() -> None:
    # The association's representative (a demo account of its own: the resident stays a plain resident).
    resident = db.session.scalar(sa.select(User).where(User.email == "association@demo.example"))
    department = db.session.scalar(sa.select(Department).where(Department.code == "DEMOPART"))
    themes = db.session.scalars(sa.select(Theme).where(Theme.name.in_(["Culture et sport", "Cohésion sociale"]))).all()
    now = utcnow()
    today = date.today()
    open_call = services.save_call(
        None, actor=SYSTEM, title="Vivre ensemble",
        description="L'agglomération soutient les projets associatifs qui rassemblent les habitants de ses communes.",
        eligibility="Associations loi 1901 déclarées, dont le siège ou l'action est sur le territoire.",
        envelope_cents=15_000_000, opens_at=opening(-20), closes_at=closing(25),
        department_id=department.id if department else None, required_documents=[DocumentKind.statutes.value, DocumentKind.rib.value],
        themes=themes,
    )
    closed_call = services.save_call(
        None, actor=SYSTEM, title="Subventions de fonctionnement",
        description="La campagne annuelle de subventions de fonctionnement aux associations.",
        eligibility="Associations ayant au moins un an d'existence.",
        # Open while the demo submits to it, then moved to its real, past dates below.
        envelope_cents=30_000_000, opens_at=opening(-200), closes_at=now + timedelta(days=1),
        department_id=department.id if department else None, required_documents=[],
    )
    lavoir = services.declare_association(
        actor=resident, office="Présidente", name="Les Amis du Lavoir", rna="W379000001", siret="73282932000074",
        address="3 rue du Lavoir, 37910 Loirande", purpose="Faire vivre le patrimoine et la fête du quartier du Lavoir.",
        email="amis-du-lavoir@demo.example", annual_budget_cents=12_000_000,
    )
    for kind, name, age in ((DocumentKind.statutes, "statuts.pdf", 900), (DocumentKind.rib, "rib.pdf", 30), (DocumentKind.officers, "dirigeants.pdf", 60)):
        upload = FileStorage(stream=io.BytesIO(DEMO_PDF), filename=name)
        services.add_document(lavoir, kind=kind, upload=upload, document_date=today - timedelta(days=age), actor=resident)
    _application(open_call, lavoir, resident, title="Fête du Lavoir", requested=300_000)
    submitted = _application(open_call, lavoir, resident, title="Ateliers de réparation", requested=450_000)
    with outbox.quiet(False):  # this week's application: its acknowledgement and the department's notice are mailed
        services.submit_application(submitted, actor=resident)
    services.start_review(submitted, actor=SYSTEM)
    services.record_proposal(submitted, amount_cents=400_000, opinion=Opinion.favourable, reason="Projet bien construit.", actor=SYSTEM)

    granted = _application(closed_call, lavoir, resident, title="Saison culturelle du Lavoir", requested=2_400_000,
                           start_date=today - timedelta(days=160), end_date=today + timedelta(days=60))
    services.submit_application(granted, actor=resident)
    closed_call.closes_at = closing(-150)
    services.start_review(granted, actor=SYSTEM)
    services.grant(granted, amount_cents=2_400_000, decided_on=today - timedelta(days=120), reference="DEL-2026-042",
                   payment_terms=PaymentTerms.staggered, payment_from=today - timedelta(days=100), payment_until=today + timedelta(days=60),
                   actor=SYSTEM)
    services.record_convention(granted, signed_on=today - timedelta(days=110), actor=SYSTEM)
    services.record_payment(granted, amount_cents=1_200_000, paid_on=today - timedelta(days=100), reference="M-2026-881", actor=SYSTEM)

