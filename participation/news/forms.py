"""Forms of news articles and the newsletter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, EmailField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

REQUIRED = _l("Ce champ est obligatoire.")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ArticleForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))])
    summary = TextAreaField(_l("Chapô"), validators=[DataRequired(REQUIRED), Length(max=500, message=_l("500 caractères au plus."))],
                            description=_l("Une ou deux phrases, reprises dans la liste, le flux et la lettre d'information."))
    body = TextAreaField(_l("Texte"), validators=[DataRequired(REQUIRED), Length(max=50000)], description=_l("Mise en forme Markdown : **gras**, listes, liens."))
    image = FileField(_l("Image (JPEG ou PNG, 5 Mo au plus)"), render_kw={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"})
    image_alt = StringField(_l("Texte de remplacement de l'image"), validators=[Optional(), Length(max=300, message=_l("300 caractères au plus."))],
                            description=_l("Obligatoire avec une image : ce qu'elle montre, pour qui ne la voit pas."))
    themes = CheckboxesField(_l("Thèmes"), coerce=int, choices=[], validators=[Optional()])
    communes = CheckboxesField(_l("Communes"), coerce=int, choices=[], validators=[Optional()])
    consultation_id = IntegerField(_l("Concertation liée (numéro)"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1, message=_l("Un numéro de concertation."))])
    event_id = IntegerField(_l("Événement lié (numéro)"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1, message=_l("Un numéro d'événement."))])
    referral_id = IntegerField(_l("Saisine liée (numéro)"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1, message=_l("Un numéro de saisine."))])
    plan_action_id = IntegerField(_l("Action d'un plan liée (numéro)"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1, message=_l("Un numéro d'action."))],
                                  description=_l("Le numéro qui suit « actions/ » dans l'adresse de la page de l'action."))


class ScheduleForm(FlaskForm):
    moment = DateTimeLocalField(_l("Date et heure"), format=DATETIME_FORMAT, validators=[InputRequired(_l("Indiquez une date et une heure."))])


class SubscribeForm(FlaskForm):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(REQUIRED), Length(max=254)])
    communes = CheckboxesField(_l("Les communes qui vous intéressent"), coerce=int, choices=[], validators=[Optional()])
    themes = CheckboxesField(_l("Les thèmes qui vous intéressent"), coerce=int, choices=[], validators=[Optional()])
    consent = BooleanField(_l("J'accepte de recevoir la lettre d'information de la collectivité ; je peux me désinscrire à tout moment."))


class IssueForm(FlaskForm):
    subject = StringField(_l("Objet"), validators=[DataRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))])
    intro = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=20000)], description=_l("Mise en forme Markdown."))
    articles = CheckboxesField(_l("Actualités"), coerce=int, choices=[], validators=[Optional()])
    consultations = CheckboxesField(_l("Concertations ouvertes"), coerce=int, choices=[], validators=[Optional()])
    events = CheckboxesField(_l("Prochains événements"), coerce=int, choices=[], validators=[Optional()])
    opinions = CheckboxesField(_l("Avis publiés"), coerce=int, choices=[], validators=[Optional()])
    questionnaires = CheckboxesField(_l("Questionnaires ouverts"), coerce=int, choices=[], validators=[Optional()])
    audience = RadioField(_l("Destinataires"), choices=[("all", _l("Tous les abonnés")), ("some", _l("Les abonnés des communes ou thèmes choisis"))], default="all")
    communes = CheckboxesField(_l("Communes"), coerce=int, choices=[], validators=[Optional()])
    themes = CheckboxesField(_l("Thèmes"), coerce=int, choices=[], validators=[Optional()])
