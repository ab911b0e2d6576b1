"""Referral forms: each field says what it is for."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from participation.referrals.models import ANSWER_STATUSES, ReferralKind

REQUIRED = "Ce champ est obligatoire."


class ActionForm(FlaskForm):
    """A button: only its CSRF token."""


class ReferralForm(FlaskForm):
    kind = SelectField("Nature de la saisine", choices=[(k.value, k.label) for k in (ReferralKind.mandatory, ReferralKind.optional)])
    subject = StringField("Objet", validators=[InputRequired(REQUIRED), Length(max=200)])
    question = TextAreaField("Question posée au conseil", validators=[InputRequired(REQUIRED)], description="Markdown accepté.")
    act = StringField("Acte concerné", validators=[Optional(), Length(max=300)], description="Par exemple : PLUi, modification n° 3.")
    referred_by = StringField("Saisi par", validators=[Optional(), Length(max=200)],
                              description="Tel qu'il sera affiché : « Le président de la communauté d'agglomération ».")
    department = SelectField("Direction qui saisit (reçoit l'avis)", coerce=int, validate_choice=False)
    received_on = DateField("Date de réception", validators=[Optional()])
    due_on = DateField("Date de remise de l'avis", validators=[Optional()], description="Par défaut : trois mois après la réception.")


class ProposalForm(FlaskForm):
    subject = StringField("Objet de l'auto-saisine", validators=[InputRequired(REQUIRED), Length(max=200)])
    question = TextAreaField("Question que le conseil se pose", validators=[InputRequired(REQUIRED)])
    act = StringField("Acte ou politique concernés", validators=[Optional(), Length(max=300)])


class DeclineForm(FlaskForm):
    reason = TextAreaField("Motif du refus", validators=[InputRequired("Le bureau motive son refus.")])


class GroupForm(FlaskForm):
    group = SelectField("Groupe de travail", coerce=int, validate_choice=False)


class VersionForm(FlaskForm):
    body = TextAreaField("Texte de l'avis", validators=[InputRequired("Le texte de l'avis est vide.")],
                         description="Markdown : séparez les paragraphes par une ligne vide.")
    note = StringField("Ce qui change (facultatif)", validators=[Optional(), Length(max=300)])


class CommentForm(FlaskForm):
    paragraph = IntegerField("Paragraphe commenté (facultatif)", validators=[Optional(), NumberRange(min=1, message="Un numéro de paragraphe.")],
                             description="Laissez vide pour commenter l'ensemble du texte.")
    body = TextAreaField("Commentaire", validators=[InputRequired("Le commentaire est vide.")])


class RecommendationForm(FlaskForm):
    text = TextAreaField("Texte de la recommandation", validators=[InputRequired("La recommandation est vide.")])


class ScheduleVoteForm(FlaskForm):
    sitting = SelectField("Séance où l'avis sera voté", coerce=int, validate_choice=False,
                          description="Un point « Vote de l'avis » est ajouté à son ordre du jour ; chaque membre est prévenu.")


class VoteForm(FlaskForm):
    sitting = SelectField("Séance", coerce=int, validate_choice=False)
    present = IntegerField("Membres présents ou représentés", validators=[InputRequired(REQUIRED), NumberRange(min=0)])
    votes_for = IntegerField("Pour", validators=[InputRequired(REQUIRED), NumberRange(min=0)])
    votes_against = IntegerField("Contre", validators=[InputRequired(REQUIRED), NumberRange(min=0)])
    abstentions = IntegerField("Abstentions", validators=[InputRequired(REQUIRED), NumberRange(min=0)])


class AnswerForm(FlaskForm):
    general_answer = TextAreaField("Réponse générale de la collectivité", validators=[InputRequired(REQUIRED)])


class StatusForm(FlaskForm):
    status = SelectField("Suite donnée", choices=[(s.value, s.label) for s in ANSWER_STATUSES])
    explanation = TextAreaField("Explication", validators=[InputRequired("Expliquez la suite donnée.")])
    department = SelectField("Direction en charge", coerce=int, validate_choice=False)


class ReportForm(FlaskForm):
    # The years offered are those still open; the service checks the year whatever is sent.
    year = SelectField("Année du rapport", coerce=int, validate_choice=False)


class ReportTextsForm(FlaskForm):
    introduction = TextAreaField("Introduction", description="Markdown accepté. Présentez l'année du conseil et ses temps forts : "
                                                            "ce texte ouvre le rapport, avant les chiffres. Il est nécessaire pour publier.")
    outlook = TextAreaField("Perspectives et remarques", description="Markdown accepté. Les chantiers de l'année qui vient et ce que "
                                                                     "les chiffres appellent comme commentaires ; ce texte clôt le rapport.")
