"""Referral forms: each field says what it is for."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from participation.core.concurrency import BasedOnField
from participation.referrals.models import ANSWER_STATUSES, ReferralKind
from flask_babel import lazy_gettext as _l

REQUIRED = _l("Ce champ est obligatoire.")


class ActionForm(FlaskForm):
    """A button: only its CSRF token."""


class ReferralForm(FlaskForm):
    kind = SelectField(_l("Nature de la saisine"), choices=[(k.value, k.lazy_label) for k in (ReferralKind.mandatory, ReferralKind.optional)])
    subject = StringField(_l("Objet"), validators=[InputRequired(REQUIRED), Length(max=200)])
    question = TextAreaField(_l("Question posée au conseil"), validators=[InputRequired(REQUIRED)], description=_l("Markdown accepté."))
    act = StringField(_l("Acte concerné"), validators=[Optional(), Length(max=300)], description=_l("Par exemple : PLUi, modification n° 3."))
    referred_by = StringField(_l("Saisi par"), validators=[Optional(), Length(max=200)],
                              description=_l("Tel qu'il sera affiché : « Le président de la communauté d'agglomération »."))
    department = SelectField(_l("Direction qui saisit (reçoit l'avis)"), coerce=int, validate_choice=False)
    received_on = DateField(_l("Date de réception"), validators=[Optional()])
    due_on = DateField(_l("Date de remise de l'avis"), validators=[Optional()], description=_l("Par défaut : trois mois après la réception."))


class ProposalForm(FlaskForm):
    subject = StringField(_l("Objet de l'auto-saisine"), validators=[InputRequired(REQUIRED), Length(max=200)])
    question = TextAreaField(_l("Question que le conseil se pose"), validators=[InputRequired(REQUIRED)])
    act = StringField(_l("Acte ou politique concernés"), validators=[Optional(), Length(max=300)])


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Motif du refus"), validators=[InputRequired(_l("Le bureau motive son refus."))])


class GroupForm(FlaskForm):
    group = SelectField(_l("Groupe de travail"), coerce=int, validate_choice=False)


class VersionForm(FlaskForm):
    body = TextAreaField(_l("Texte de l'avis"), validators=[InputRequired(_l("Le texte de l'avis est vide."))],
                         description=_l("Markdown : séparez les paragraphes par une ligne vide."))
    note = StringField(_l("Ce qui change (facultatif)"), validators=[Optional(), Length(max=300)])
    based_on = BasedOnField()


class CommentForm(FlaskForm):
    paragraph = IntegerField(_l("Paragraphe commenté (facultatif)"), validators=[Optional(), NumberRange(min=1, message=_l("Un numéro de paragraphe."))],
                             description=_l("Laissez vide pour commenter l'ensemble du texte."))
    body = TextAreaField(_l("Commentaire"), validators=[InputRequired(_l("Le commentaire est vide."))])


class RecommendationForm(FlaskForm):
    text = TextAreaField(_l("Texte de la recommandation"), validators=[InputRequired(_l("La recommandation est vide."))])


class ScheduleVoteForm(FlaskForm):
    sitting = SelectField(_l("Séance où l'avis sera voté"), coerce=int, validate_choice=False,
                          description=_l("Un point « Vote de l'avis » est ajouté à son ordre du jour ; chaque membre est prévenu."))


class VoteForm(FlaskForm):
    sitting = SelectField(_l("Séance"), coerce=int, validate_choice=False)
    present = IntegerField(_l("Membres présents ou représentés"), validators=[InputRequired(REQUIRED), NumberRange(min=0)])
    votes_for = IntegerField(_l("Pour"), validators=[InputRequired(REQUIRED), NumberRange(min=0)])
    votes_against = IntegerField(_l("Contre"), validators=[InputRequired(REQUIRED), NumberRange(min=0)])
    abstentions = IntegerField(_l("Abstentions"), validators=[InputRequired(REQUIRED), NumberRange(min=0)])


class AnswerForm(FlaskForm):
    general_answer = TextAreaField(_l("Réponse générale de la collectivité"), validators=[InputRequired(REQUIRED)])


class StatusForm(FlaskForm):
    status = SelectField(_l("Suite donnée"), choices=[(s.value, s.lazy_label) for s in ANSWER_STATUSES])
    explanation = TextAreaField(_l("Explication"), validators=[InputRequired(_l("Expliquez la suite donnée."))])
    department = SelectField(_l("Direction en charge"), coerce=int, validate_choice=False)


class ReportForm(FlaskForm):
    # The years offered are those still open; the service checks the year whatever is sent.
    year = SelectField(_l("Année du rapport"), coerce=int, validate_choice=False)


class ReportTextsForm(FlaskForm):
    introduction = TextAreaField(_l("Introduction"), description=_l("Markdown accepté. Présentez l'année du conseil et ses temps forts : "
                                                            "ce texte ouvre le rapport, avant les chiffres. Il est nécessaire pour publier."))
    outlook = TextAreaField(_l("Perspectives et remarques"), description=_l("Markdown accepté. Les chantiers de l'année qui vient et ce que "
                                                                     "les chiffres appellent comme commentaires ; ce texte clôt le rapport."))
    based_on = BasedOnField()
