"""Questionnaires, their sections and questions, waves, invitations, responses and answers.

A response is kept as a draft (``draft``, JSON by question id) while the
respondent goes from page to page; sending it writes one ``Answer`` row per
value, which the results aggregate in SQL. Drafts never count in results.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Base, IdMixin, TimestampMixin, TitledEnum, UTCDateTime, enum_column, utcnow
from participation.core.workflow import Transition, Workflow
from flask_babel import lazy_gettext as _l


class SurveyState(TitledEnum):
    draft = "draft", _l("Brouillon")
    open = "open", _l("Ouvert")
    closed = "closed", _l("Clos")
    published = "published", _l("Résultats publiés")


class Access(TitledEnum):
    open = "open", _l("Ouvert à tous (une réponse par navigateur)")
    account = "account", _l("Réservé aux titulaires d'un compte (une réponse par compte)")
    invitation = "invitation", _l("Sur invitation personnelle (un lien par personne)")


class QuestionKind(TitledEnum):
    single = "single", _l("Choix unique")
    multiple = "multiple", _l("Choix multiple")
    scale = "scale", _l("Échelle")
    matrix = "matrix", _l("Grille (plusieurs éléments sur la même échelle)")
    ranking = "ranking", _l("Classement")
    short_text = "short_text", _l("Texte court")
    long_text = "long_text", _l("Texte long")
    number = "number", _l("Nombre")
    date = "date", _l("Date")
    commune = "commune", _l("Commune de résidence")
    qpv = "qpv", _l("Quartier prioritaire")
    age_band = "age_band", _l("Tranche d'âge")
    gender = "gender", _l("Genre")


# Kinds whose answers are counted option by option (bars, cross-tabulation, waves).
CHOICE_KINDS = (QuestionKind.single, QuestionKind.multiple, QuestionKind.scale, QuestionKind.matrix,
                QuestionKind.commune, QuestionKind.qpv, QuestionKind.age_band, QuestionKind.gender)
TEXT_KINDS = (QuestionKind.short_text, QuestionKind.long_text)
# Kinds that describe the respondent: asked once, optional, offering « ne souhaite pas répondre ».
PROFILE_KINDS = (QuestionKind.commune, QuestionKind.qpv, QuestionKind.age_band, QuestionKind.gender)

# Stored as the answers' text and compared with it: fixed values, not translated.
NO_ANSWER = "Ne souhaite pas répondre"
OTHER = "Autre"
NOT_IN_QPV = "Hors quartier prioritaire"
AGE_BANDS = ("Moins de 18 ans", "18 à 29 ans", "30 à 44 ans", "45 à 59 ans", "60 à 74 ans", "75 ans ou plus")
GENDERS = ("Femme", "Homme", "Autre")

questionnaire_themes = sa.Table(
    "questionnaire_themes",
    Base.metadata,
    sa.Column("questionnaire_id", sa.ForeignKey("questionnaires.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Questionnaire(IdMixin, TimestampMixin, Base):
    __tablename__ = "questionnaires"
    __table_args__ = (
        sa.CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint("retention_months >= 1 AND retention_months <= 120", name="retention_range"),
        sa.Index("ix_questionnaires_state", "state", "closes_at"),
    )

    title: Mapped[str] = mapped_column(sa.String(200))
    # Markdown: what the questionnaire is about, shown before the first question.
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    # RGPD notice shown before the first question: why the answers are collected…
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    # …on which legal basis and by which controller…
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    # …and who reads the answers.
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    # Free-text answers and invitations are deleted this many months after closing.
    retention_months: Mapped[int] = mapped_column(default=12)
    access: Mapped[Access] = mapped_column(enum_column(Access), default=Access.open)
    state: Mapped[SurveyState] = mapped_column(enum_column(SurveyState), default=SurveyState.draft)
    previous_state: Mapped[SurveyState | None] = mapped_column(enum_column(SurveyState, name="surveystate_previous"))
    # The announced period (answers are taken only while the state is « ouvert »).
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The wave's name, shown in comparisons (« 2025 »).
    wave_label: Mapped[str] = mapped_column(sa.String(40), default="")
    # The wave this one repeats (same questions, new period).
    previous_wave_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questionnaires.id", ondelete="SET NULL"), index=True)
    # Markdown: staff's analysis, published with the results.
    analysis: Mapped[str] = mapped_column(sa.Text, default="")
    # What the questionnaire accompanies (each optional).
    consultation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultations.id", ondelete="SET NULL"), index=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id", ondelete="SET NULL"), index=True)
    # An event: its attendees are invited once it has ended.
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"), index=True)
    # The council that proposes it: its bureau builds, opens and publishes it (staff may too).
    council_id: Mapped[int | None] = mapped_column(sa.ForeignKey("councils.id", ondelete="SET NULL"), index=True)
    attendees_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the retention job deleted free text and invitations.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    sections: Mapped[list[Section]] = relationship(back_populates="questionnaire", order_by="Section.position",
                                                   cascade="all, delete-orphan", lazy="selectin")
    questions: Mapped[list[Question]] = relationship(back_populates="questionnaire", order_by="Question.position",
                                                     cascade="all, delete-orphan", lazy="selectin",
                                                     foreign_keys="Question.questionnaire_id")
    themes = relationship("Theme", secondary=questionnaire_themes, lazy="selectin", order_by="Theme.name")
    previous_wave: Mapped[Questionnaire | None] = relationship(remote_side="Questionnaire.id", lazy="joined", join_depth=1)
    consultation = relationship("Consultation", lazy="joined")
    referral = relationship("Referral", lazy="joined")
    event = relationship("Event", lazy="joined")
    council = relationship("Council", lazy="joined")

    @property
    def is_public(self) -> bool:
        return self.state != SurveyState.draft

    @property
    def display_title(self) -> str:
        return f"{self.title} ({self.wave_label})" if self.wave_label else self.title

    def ordered_questions(self) -> list[Question]:
        order = {s.id: s.position for s in self.sections}
        return sorted(self.questions, key=lambda q: (order.get(q.section_id, 0), q.position, q.id))

    def __repr__(self) -> str:
        return f"<Questionnaire {self.id} {self.state.value}>"


class Section(IdMixin, Base):
    """A page of the questionnaire, shown only when its condition holds."""

    __tablename__ = "questionnaire_sections"

    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Shown only when this earlier question's answer includes condition_value.
    # (No foreign key: questions already point to sections; the services keep it valid.)
    condition_question_id: Mapped[int | None]
    condition_value: Mapped[str | None] = mapped_column(sa.String(200))

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="sections")


class Question(IdMixin, Base):
    __tablename__ = "questionnaire_questions"

    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire_sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    label: Mapped[str] = mapped_column(sa.String(300))
    # Why it is asked, how to answer (shown under the question).
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    # The options offered (single, multiple, ranking) or the matrix's items.
    options: Mapped[list] = mapped_column(sa.JSON, default=list)
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Kind-specific settings: display (radio/list), max_choices, allow_other, min, max, low_label, high_label.
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Its results appear on the public results page.
    public: Mapped[bool] = mapped_column(default=True)
    # Shown only when this earlier question's answer includes condition_value.
    condition_question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questionnaire_questions.id", ondelete="SET NULL"))
    condition_value: Mapped[str | None] = mapped_column(sa.String(200))
    # The same question in every wave carries the same key: waves compare by it.
    key: Mapped[str] = mapped_column(sa.String(32), index=True)
    # A territorial plan's indicator fed by this question's result when the results are published: the
    # share (%) of respondents who chose ``indicator_option``, or, without it, the mean of a scale or a number.
    indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_indicators.id", ondelete="SET NULL"), index=True)
    indicator_option: Mapped[str | None] = mapped_column(sa.String(200))

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions", foreign_keys=[questionnaire_id])

    @property
    def field(self) -> str:
        return f"q{self.id}"

    def setting(self, name: str, default=None):
        return (self.settings or {}).get(name, default)

    @property
    def scale_values(self) -> list[int]:
        return list(range(int(self.setting("min", 1)), int(self.setting("max", 5)) + 1))

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.kind.value}>"


class Invitation(IdMixin, Base):
    """A personal, single-use link to the questionnaire."""

    __tablename__ = "questionnaire_invitations"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "email"),)

    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    # SHA-256 of the link last mailed (a reminder mails a new one).
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Where the address came from: "csv" or "event".
    source: Mapped[str] = mapped_column(sa.String(20), default="csv")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Response(IdMixin, Base):
    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        sa.UniqueConstraint("questionnaire_id", "user_id"),
        sa.UniqueConstraint("questionnaire_id", "browser_key"),
        sa.Index("ix_questionnaire_responses_submitted", "questionnaire_id", "submitted_at"),
    )

    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id", ondelete="CASCADE"))
    # Pseudonymous id shown in exports.
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    # One of these tells who answers: an account, a browser (digest of its cookie), an invitation.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    browser_key: Mapped[str | None] = mapped_column(sa.String(64))
    invitation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questionnaire_invitations.id", ondelete="SET NULL"), unique=True)
    # Answers given so far, by question id, until the response is sent.
    draft: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The respondent's profile, copied from their answers for cross-tabulation.
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id", ondelete="SET NULL"))
    qpv: Mapped[str | None] = mapped_column(sa.String(160))
    age_band: Mapped[str | None] = mapped_column(sa.String(40))
    gender: Mapped[str | None] = mapped_column(sa.String(40))

    questionnaire: Mapped[Questionnaire] = relationship()


class Answer(IdMixin, Base):
    """One value of a sent response: a chosen option, a scale point, a rank, a number, a date or a text."""

    __tablename__ = "questionnaire_answers"
    __table_args__ = (sa.Index("ix_questionnaire_answers_question", "question_id", "item", "choice"),)

    response_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire_questions.id", ondelete="CASCADE"))
    # A matrix's item, or the option a rank is given to.
    item: Mapped[str | None] = mapped_column(sa.String(200))
    # The option chosen (a scale's point as text).
    choice: Mapped[str | None] = mapped_column(sa.String(200))
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(sa.Text)
    date_value: Mapped[date | None]


SURVEY_WORKFLOW = Workflow(
    thing="questionnaire",
    transitions=[
        Transition("open", {SurveyState.draft}, SurveyState.open, permission="surveys.manage", label=_l("ouvrir aux réponses"),
                   refusals={SurveyState.open: _l("Ce questionnaire est déjà ouvert.")}),
        Transition("close", {SurveyState.open}, SurveyState.closed, permission="surveys.manage", label="clore",
                   refusals={SurveyState.closed: _l("Ce questionnaire est déjà clos."), SurveyState.draft: _l("Ce questionnaire n'est pas encore ouvert.")}),
        Transition("publish", {SurveyState.closed}, SurveyState.published, permission="surveys.manage", label=_l("publier les résultats"),
                   refusals={SurveyState.published: _l("Les résultats sont déjà publiés."),
                             SurveyState.open: _l("Closez le questionnaire avant d'en publier les résultats.")}),
    ],
)
SURVEY_WORKFLOW.bind(Questionnaire)
