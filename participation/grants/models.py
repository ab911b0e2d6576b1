"""Associations, their representatives and documents; calls for projects; applications
(CERFA 12156*06) with their budget lines, notes and payments; financial reports (CERFA 15059*02).

Amounts are integer cents: never a float.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Base, IdMixin, TimestampMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The budget accounts of CERFA 12156*06 (and 15059*02), by side.
CHARGE_ACCOUNTS = [
    ("60", _l("60 – Achats")),
    ("61", _l("61 – Services extérieurs")),
    ("62", _l("62 – Autres services extérieurs")),
    ("63", _l("63 – Impôts et taxes")),
    ("64", _l("64 – Charges de personnel")),
    ("65", _l("65 – Autres charges de gestion courante")),
    ("66", _l("66 – Charges financières")),
    ("67", _l("67 – Charges exceptionnelles")),
    ("68", _l("68 – Dotation aux amortissements")),
    ("86", _l("86 – Emplois des contributions volontaires en nature")),
]
PRODUCT_ACCOUNTS = [
    ("70", _l("70 – Vente de produits finis, prestations de services")),
    ("73", _l("73 – Dotations et produits de tarification")),
    ("74", _l("74 – Subventions d'exploitation")),
    ("75", _l("75 – Autres produits de gestion courante")),
    ("76", _l("76 – Produits financiers")),
    ("77", _l("77 – Produits exceptionnels")),
    ("78", _l("78 – Reprises sur amortissements et provisions")),
    ("87", _l("87 – Contributions volontaires en nature")),
]
ACCOUNT_LABELS = dict(CHARGE_ACCOUNTS + PRODUCT_ACCOUNTS)

# The contrat d'engagement républicain (décret 2021-1947), its seven commitments in full.
REPUBLICAN_COMMITMENTS = [
    (_l("Respect des lois de la République"),
     _l("Le respect des lois de la République s'impose aux associations et fondations, qui ne doivent entreprendre ni inciter à aucune action manifestement contraire à la loi, violente ou susceptible d'entraîner des troubles graves à l'ordre public. L'association ou la fondation bénéficiaire s'engage à ne pas se prévaloir de convictions politiques, philosophiques ou religieuses pour s'affranchir des règles communes régissant ses relations avec les collectivités publiques. Elle s'engage notamment à ne pas remettre en cause le caractère laïque de la République.")),
    (_l("Liberté de conscience"),
     _l("L'association ou la fondation s'engage à respecter et protéger la liberté de conscience de ses membres et des tiers, notamment des bénéficiaires de ses services et de ses activités, et s'abstient de tout acte de prosélytisme abusif exercé notamment sous la contrainte, la menace ou la pression. Cet engagement ne fait pas obstacle à ce que les associations ou fondations dont l'objet est fondé sur des convictions, notamment religieuses, requièrent de leurs membres une adhésion loyale à l'égard des valeurs ou des croyances de l'organisation.")),
    (_l("Liberté des membres de l'association"),
     _l("L'association s'engage à respecter la liberté de ses membres de s'en retirer dans les conditions prévues à l'article 4 de la loi du 1er juillet 1901 et leur droit de ne pas en être arbitrairement exclu.")),
    (_l("Égalité et non-discrimination"),
     _l("L'association ou la fondation s'engage à respecter l'égalité de tous devant la loi. Elle s'engage, dans son fonctionnement interne comme dans ses rapports avec les tiers, à ne pas opérer de différences de traitement fondées sur le sexe, l'orientation sexuelle, l'identité de genre, l'appartenance réelle ou supposée à une ethnie, une Nation, une prétendue race ou une religion déterminée qui ne reposeraient pas sur une différence de situation objective en rapport avec l'objet statutaire licite qu'elle poursuit, ni cautionner ou encourager de telles discriminations. Elle prend les mesures, compte tenu des moyens dont elle dispose, permettant de lutter contre toute forme de violence à caractère sexuel ou sexiste.")),
    (_l("Fraternité et prévention de la violence"),
     _l("L'association ou la fondation s'engage à agir dans un esprit de fraternité et de civisme. Dans son activité, dans son fonctionnement interne comme dans ses rapports avec les tiers, l'association s'engage à ne pas provoquer à la haine ou à la violence envers quiconque et à ne pas cautionner de tels agissements. Elle s'engage à rejeter toutes formes de racisme et d'antisémitisme.")),
    (_l("Respect de la dignité de la personne humaine"),
     _l("L'association ou la fondation s'engage à n'entreprendre, ne soutenir, ni cautionner aucune action de nature à porter atteinte à la sauvegarde de la dignité de la personne humaine. Elle s'engage à respecter les lois et règlements en vigueur destinés à protéger la santé et l'intégrité physique et psychique de ses membres et des bénéficiaires de ses services et ses activités, et à ne pas mettre en danger la vie d'autrui par ses agissements ou sa négligence. Elle s'engage à ne pas créer, maintenir ou exploiter la vulnérabilité psychologique ou physique de ses membres et des personnes qui participent à ses activités à quelque titre que ce soit, notamment des personnes en situation de handicap, que ce soit par des pressions ou des tentatives d'endoctrinement. Elle s'engage en particulier à n'entreprendre aucune action de nature à compromettre la santé et l'intégrité physique et psychique des mineurs.")),
    (_l("Respect des symboles de la République"),
     _l("L'association s'engage à respecter le drapeau tricolore, l'hymne national, et la devise de la République.")),
]


class DocumentKind(TitledEnum):
    statutes = "statutes", _l("Statuts")
    officers = "officers", _l("Liste des dirigeants")
    rib = "rib", _l("Relevé d'identité bancaire (RIB)")
    accounts = "accounts", _l("Derniers comptes approuvés")
    activity_report = "activity_report", _l("Dernier rapport d'activité")
    budget = "budget", _l("Budget prévisionnel de l'association")
    certified_balance_sheet = "certified_balance_sheet", _l("Bilan certifié")


class Association(IdMixin, TimestampMixin, Base):
    __tablename__ = "associations"
    __table_args__ = (
        sa.CheckConstraint("siret IS NULL OR length(siret) = 14", name="siret_length"),
        sa.CheckConstraint("annual_budget_cents IS NULL OR annual_budget_cents >= 0", name="budget_positive"),
        sa.CheckConstraint("financial_year_end_month BETWEEN 1 AND 12", name="year_end_month"),
    )

    name: Mapped[str] = mapped_column(sa.String(200))
    # Répertoire national des associations: "W" and 9 characters, stored compact.
    rna: Mapped[str] = mapped_column(sa.String(10), unique=True)
    # 14 digits, when the association has one (needed to be paid and published).
    siret: Mapped[str | None] = mapped_column(sa.String(14), unique=True)
    address: Mapped[str] = mapped_column(sa.Text)
    # The association's object, as its statutes put it.
    purpose: Mapped[str] = mapped_column(sa.Text)
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    # The association's yearly budget, for the 50 % rule of the certified balance sheet.
    annual_budget_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The month its financial year ends (12: the calendar year).
    financial_year_end_month: Mapped[int] = mapped_column(default=12)
    # The commune of its seat, when in the territory: the indicators count grants by commune.
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id", ondelete="SET NULL"), index=True)

    representatives: Mapped[list[Representative]] = relationship(back_populates="association", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.name


class Representative(IdMixin, Base):
    """A person who acts for an association; one person may act for several."""

    __tablename__ = "association_representatives"
    __table_args__ = (sa.UniqueConstraint("association_id", "user_id"),)

    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The person's office in the association: "Présidente", "Trésorier"…
    office: Mapped[str | None] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    association: Mapped[Association] = relationship(back_populates="representatives")
    user = relationship("User", lazy="joined")


class RepresentativeInvitation(IdMixin, Base):
    """A mailed, single-use link that makes its holder a representative."""

    __tablename__ = "association_invitations"

    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    # SHA-256 of the token sent by mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    association: Mapped[Association] = relationship()


class AssociationDocument(IdMixin, Base):
    """A document kept once for the association and reused by its applications."""

    __tablename__ = "association_documents"

    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"), index=True)
    # The date the document bears (statutes' last change, accounts' closing…), for its age.
    document_date: Mapped[date]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file = relationship("StoredFile", lazy="joined")


call_themes = sa.Table(
    "grant_call_themes",
    Base.metadata,
    sa.Column("call_id", sa.ForeignKey("grant_calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class GrantCall(IdMixin, TimestampMixin, Base):
    """An appel à projets, or a campaign for running costs."""

    __tablename__ = "grant_calls"
    __table_args__ = (
        sa.CheckConstraint("envelope_cents >= 0", name="envelope_positive"),
        sa.CheckConstraint("opens_at < closes_at", name="dates_order"),
    )

    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    # Who may apply and for what (Markdown).
    eligibility: Mapped[str] = mapped_column(sa.Text)
    # The total budget the call may grant.
    envelope_cents: Mapped[int] = mapped_column(sa.BigInteger)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The department that instructs its applications.
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    # The association documents an application must come with (DocumentKind values).
    required_documents: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # SCDL idRAE: the aid's number in the Répertoire des Aides aux Entreprises, when it has one.
    rae_id: Mapped[str | None] = mapped_column(sa.String(5))
    # SCDL dispositifAide: the aid scheme's identifier in the schema-dispositif-aide data.
    aid_scheme: Mapped[str | None] = mapped_column(sa.String(100))

    department = relationship("Department", lazy="joined")
    themes = relationship("Theme", secondary=call_themes, lazy="selectin", order_by="Theme.name")

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at

    def status_label(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if now < self.opens_at:
            return _("À venir")
        return _("Ouvert") if now < self.closes_at else _("Clos")

    @property
    def required_kinds(self) -> list[DocumentKind]:
        return [DocumentKind(value) for value in self.required_documents or []]


class ApplicationState(TitledEnum):
    draft = "draft", _l("Brouillon")
    submitted = "submitted", _l("Déposée")
    under_review = "under_review", _l("En instruction")
    incomplete = "incomplete", _l("À compléter")
    granted = "granted", _l("Accordée")
    refused = "refused", _l("Refusée")
    dropped = "dropped", _l("Classée sans suite")


CLOSED_STATES = {ApplicationState.granted, ApplicationState.refused, ApplicationState.dropped}


class AidKind(TitledEnum):
    cash = "cash", _l("Aide en numéraire")
    in_kind = "in_kind", _l("Aide en nature")


class RequestKind(TitledEnum):
    first = "first", _l("Première demande")
    renewal = "renewal", _l("Renouvellement")


class PurposeKind(TitledEnum):
    running = "running", _l("Fonctionnement global")
    project = "project", _l("Projet ou action spécifique")


class Duration(TitledEnum):
    one_year = "one_year", _l("Annuelle")
    multi_year = "multi_year", _l("Pluriannuelle")


class Opinion(TitledEnum):
    favourable = "favourable", _l("Favorable")
    reserved = "reserved", _l("Réservé")
    unfavourable = "unfavourable", _l("Défavorable")


class PaymentTerms(TitledEnum):
    # Values are the SCDL's conditionsVersement.
    single = "unique", _l("Versement unique")
    staggered = "échelonné", _l("Versement échelonné")
    other = "autre", _l("Autre")


class GrantApplication(IdMixin, TimestampMixin, Base):
    """A request for a grant (CERFA 12156*06), from draft to decision, payment and report."""

    __tablename__ = "grant_applications"
    __table_args__ = (
        sa.CheckConstraint("amount_requested_cents >= 0", name="requested_positive"),
        sa.CheckConstraint("amount_proposed_cents IS NULL OR amount_proposed_cents >= 0", name="proposed_positive"),
        sa.CheckConstraint("amount_granted_cents IS NULL OR amount_granted_cents > 0", name="granted_positive"),
        sa.CheckConstraint("state != 'granted' OR amount_granted_cents IS NOT NULL", name="granted_has_amount"),
        sa.CheckConstraint("submitted_at IS NULL OR cer_signed_at IS NOT NULL", name="submitted_signed_cer"),
        sa.CheckConstraint("start_date IS NULL OR end_date IS NULL OR start_date <= end_date", name="project_dates_order"),
        sa.Index("ix_grant_applications_call_state", "call_id", "state"),
    )

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_calls.id", ondelete="RESTRICT"))
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[ApplicationState] = mapped_column(enum_column(ApplicationState), default=ApplicationState.draft)
    previous_state: Mapped[ApplicationState | None] = mapped_column(enum_column(ApplicationState, name="applicationstate_previous"))
    # CERFA 12156*06, the request's nature.
    aid_kind: Mapped[AidKind] = mapped_column(enum_column(AidKind), default=AidKind.cash)
    request_kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind), default=RequestKind.first)
    purpose_kind: Mapped[PurposeKind] = mapped_column(enum_column(PurposeKind), default=PurposeKind.project)
    duration: Mapped[Duration] = mapped_column(enum_column(Duration), default=Duration.one_year)
    # The project (or, for running costs, the year's activity).
    project_title: Mapped[str] = mapped_column(sa.String(200))
    goals: Mapped[str] = mapped_column(sa.Text, default="")
    # Who the action is for.
    audience: Mapped[str] = mapped_column(sa.Text, default="")
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    expected_results: Mapped[str] = mapped_column(sa.Text, default="")
    evaluation: Mapped[str] = mapped_column(sa.Text, default="")
    amount_requested_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # The contrat d'engagement républicain, signed for the association.
    cer_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cer_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Name and office of the person signing for the association (CERFA's déclaration sur l'honneur).
    signatory: Mapped[str | None] = mapped_column(sa.String(160))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the instructor asked the association to complete.
    completion_request: Mapped[str | None] = mapped_column(sa.Text)
    # The instructor's proposal to the committee.
    amount_proposed_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    opinion: Mapped[Opinion | None] = mapped_column(enum_column(Opinion))
    opinion_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The authority's decision.
    amount_granted_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    decided_on: Mapped[date | None]
    # The deliberation's reference ("2027-03-114"), published as referenceDecision.
    decision_reference: Mapped[str | None] = mapped_column(sa.String(80))
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    payment_terms: Mapped[PaymentTerms | None] = mapped_column(enum_column(PaymentTerms))
    # Planned payment date or period (SCDL datesPeriodeVersement).
    payment_from: Mapped[date | None]
    payment_until: Mapped[date | None]
    # Aid notified to the European Commission (de minimis), SCDL notificationUE.
    eu_notified: Mapped[bool] = mapped_column(default=False)
    # The signed convention: its date, and the signed copy.
    convention_signed_on: Mapped[date | None]
    convention_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"))
    # For a grant with a set purpose: when the financial report (CERFA 15059*02) is due.
    report_due_on: Mapped[date | None] = mapped_column(index=True)

    call: Mapped[GrantCall] = relationship(lazy="joined")
    association: Mapped[Association] = relationship(lazy="joined")
    budget_lines: Mapped[list[BudgetLine]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                          order_by="BudgetLine.account")
    payments: Mapped[list[Payment]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                   order_by="Payment.paid_on")
    report: Mapped[FinancialReport | None] = relationship(back_populates="application", uselist=False)

    @property
    def charges_cents(self) -> int:
        return sum(line.amount_cents for line in self.budget_lines if line.side == "charge")

    @property
    def products_cents(self) -> int:
        return sum(line.amount_cents for line in self.budget_lines if line.side == "product")

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES


class BudgetLine(IdMixin, Base):
    """One line of the forecast budget: an account of the CERFA and its amount."""

    __tablename__ = "grant_budget_lines"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "account"),
        sa.CheckConstraint("amount_cents >= 0", name="amount_positive"),
        sa.CheckConstraint("side IN ('charge', 'product')", name="side_known"),
    )

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_applications.id", ondelete="CASCADE"))
    # "charge" or "product".
    side: Mapped[str] = mapped_column(sa.String(10))
    # The CERFA account number: "60", "74"…
    account: Mapped[str] = mapped_column(sa.String(4))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)

    application: Mapped[GrantApplication] = relationship(back_populates="budget_lines")


class InstructionNote(IdMixin, Base):
    """An instructor's internal note: never shown to the association."""

    __tablename__ = "grant_instruction_notes"

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")


class Payment(IdMixin, Base):
    """One instalment paid."""

    __tablename__ = "grant_payments"
    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="amount_positive"),)

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    paid_on: Mapped[date]
    # The accounting reference (mandat de paiement).
    reference: Mapped[str | None] = mapped_column(sa.String(80))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[GrantApplication] = relationship(back_populates="payments")


class ReportState(TitledEnum):
    submitted = "submitted", _l("Reçu")
    accepted = "accepted", _l("Validé")


class FinancialReport(IdMixin, TimestampMixin, Base):
    """The compte rendu financier (CERFA 15059*02) of a grant with a set purpose."""

    __tablename__ = "grant_financial_reports"

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_applications.id", ondelete="CASCADE"), unique=True)
    state: Mapped[ReportState] = mapped_column(enum_column(ReportState), default=ReportState.submitted)
    previous_state: Mapped[ReportState | None] = mapped_column(enum_column(ReportState, name="reportstate_previous"))
    # What was done, how it differs from the plan, and why.
    narrative: Mapped[str] = mapped_column(sa.Text)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[GrantApplication] = relationship(back_populates="report")
    lines: Mapped[list[ReportLine]] = relationship(back_populates="report", cascade="all, delete-orphan", order_by="ReportLine.account")


class ReportLine(IdMixin, Base):
    """Planned against actual, for one account."""

    __tablename__ = "grant_report_lines"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "account"),
        sa.CheckConstraint("planned_cents >= 0 AND actual_cents >= 0", name="amounts_positive"),
        sa.CheckConstraint("side IN ('charge', 'product')", name="side_known"),
    )

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_financial_reports.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(sa.String(10))
    account: Mapped[str] = mapped_column(sa.String(4))
    planned_cents: Mapped[int] = mapped_column(sa.BigInteger)
    actual_cents: Mapped[int] = mapped_column(sa.BigInteger)

    report: Mapped[FinancialReport] = relationship(back_populates="lines")


def _guard(name):
    """Guards live in services (they need the configuration and queries)."""

    def check(application, actor):
        from participation.grants import services

        return getattr(services, name)(application)

    check.__name__ = name
    return check


APPLICATION_WORKFLOW = Workflow(
    thing="grant_application",
    transitions=[
        Transition("submit", {ApplicationState.draft}, ApplicationState.submitted, permission="grants.apply",
                   guards=(_guard("submission_refusal"), _guard("closing_refusal")), label=_l("déposer la demande"),
                   refusals={ApplicationState.submitted: _l("Cette demande est déjà déposée.")}),
        Transition("start_review", {ApplicationState.submitted}, ApplicationState.under_review, event="review_started",
                   permission="grants.instruct", label=_l("prendre en instruction")),
        Transition("request_completion", {ApplicationState.under_review}, ApplicationState.incomplete,
                   event="completion_requested", permission="grants.instruct", label=_l("demander des compléments")),
        Transition("resubmit", {ApplicationState.incomplete}, ApplicationState.under_review, event="resubmitted", permission="grants.apply",
                   guards=(_guard("submission_refusal"),), label=_l("renvoyer la demande complétée")),
        Transition("grant", {ApplicationState.under_review}, ApplicationState.granted, permission="grants.decide",
                   label=_l("accorder la subvention")),
        Transition("refuse", {ApplicationState.under_review}, ApplicationState.refused, permission="grants.decide",
                   label=_l("refuser la subvention")),
        Transition("drop", {ApplicationState.draft, ApplicationState.submitted, ApplicationState.under_review, ApplicationState.incomplete},
                   ApplicationState.dropped, permission="grants.drop", label=_l("classer sans suite")),
        Transition("reopen", CLOSED_STATES, ApplicationState.under_review, permission="grants.reopen",
                   guards=(_guard("reopen_refusal"),), label=_l("rouvrir le dossier")),
    ],
)
APPLICATION_WORKFLOW.bind(GrantApplication)

REPORT_WORKFLOW = Workflow(
    thing="grant_report",
    transitions=[
        Transition("accept", {ReportState.submitted}, ReportState.accepted, permission="grants.instruct_report",
                   label=_l("valider le compte rendu")),
    ],
)
REPORT_WORKFLOW.bind(FinancialReport)
