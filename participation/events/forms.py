from __future__ import annotations

import functools

from participation.core.dates import local_to_utc
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
    widgets,
)
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from participation.events.models import QuestionKind
from flask_babel import lazy_gettext as _l

REQUIRED = _l("Ce champ est obligatoire.")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_MESSAGE = _l("Indiquez une date et une heure valides.")




class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (shown in a fieldset with a legend)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _datetime(label, required=False, description=None):
    return DateTimeLocalField(label, format=DATETIME_FORMAT, validators=[DataRequired(DATETIME_MESSAGE) if required else Optional()],
                              description=description)


class EventForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))])
    description = TextAreaField(_l("Présentation"), validators=[Optional(), Length(max=20000)],
                                description=_l("Mise en forme Markdown possible : **gras**, listes, liens."))
    starts_at = _datetime(_l("Début"), required=True)
    ends_at = _datetime(_l("Fin"), required=True)
    place_name = StringField(_l("Lieu"), validators=[Optional(), Length(max=200)], description=_l("Nom de la salle ou du lieu. Laissez vide pour un événement en ligne."))
    address = TextAreaField(_l("Adresse"), validators=[Optional(), Length(max=2000)])
    venue_accessibility = TextAreaField(_l("Accessibilité du lieu"), validators=[Optional(), Length(max=2000)],
                                        description=_l("Accès de plain-pied, boucle magnétique, places réservées, transports…"))
    online_url = URLField(_l("Lien pour suivre en ligne"), validators=[Optional(), URL(message="Indiquez une adresse web complète (https://…)."), Length(max=500)])
    themes = CheckboxesField(_l("Thèmes"), coerce=int, choices=[], validators=[Optional()])
    communes = CheckboxesField(_l("Communes concernées"), coerce=int, choices=[], validators=[Optional()])
    capacity = IntegerField(_l("Nombre de places"), validators=[Optional(), NumberRange(min=1, max=100000, message=_l("Un nombre entre 1 et 100 000."))],
                            description=_l("Accompagnants compris. Laissez vide pour un nombre illimité."))
    registration_opens_at = _datetime(_l("Ouverture des inscriptions"), description=_l("Laissez vide pour ouvrir dès la publication."))
    registration_closes_at = _datetime(_l("Clôture des inscriptions"), description=_l("Laissez vide pour fermer au début de l'événement."))
    max_guests = IntegerField(_l("Accompagnants par inscription"), default=0, validators=[NumberRange(min=0, max=10, message=_l("Entre 0 et 10."))])
    waiting_list_enabled = BooleanField(_l("Liste d'attente quand c'est complet"), default=True)
    waiting_list_cap = IntegerField(_l("Taille maximale de la liste d'attente"), validators=[Optional(), NumberRange(min=0, max=100000, message=_l("Un nombre positif."))],
                                    description=_l("Laissez vide pour ne pas la limiter."))
    requires_account = BooleanField(_l("Inscription réservée aux personnes qui ont un compte"),
                                    description=_l("Sinon, on peut s'inscrire avec une adresse électronique confirmée par un lien."))
    promotion_needs_confirmation = BooleanField(_l("Une place libérée doit être confirmée par la personne de la liste d'attente"))
    promotion_hours = IntegerField(_l("Délai pour confirmer une place libérée (heures)"), default=48,
                                   validators=[DataRequired(REQUIRED), NumberRange(min=1, max=720, message=_l("Entre 1 et 720 heures."))])
    reminder_days = StringField(_l("Rappels (jours avant)"), default="7,1", validators=[Optional(), Length(max=40)],
                                description=_l("Nombres de jours, séparés par des virgules. Laissez vide pour aucun rappel."))

    def values(self) -> dict:
        return {
            "title": self.title.data.strip(),
            "description": self.description.data or "",
            "place_name": (self.place_name.data or "").strip() or None,
            "address": (self.address.data or "").strip() or None,
            "venue_accessibility": (self.venue_accessibility.data or "").strip() or None,
            "online_url": (self.online_url.data or "").strip() or None,
            "starts_at": local_to_utc(self.starts_at.data),
            "ends_at": local_to_utc(self.ends_at.data),
            "capacity": self.capacity.data,
            "registration_opens_at": local_to_utc(self.registration_opens_at.data),
            "registration_closes_at": local_to_utc(self.registration_closes_at.data),
            "max_guests": self.max_guests.data or 0,
            "waiting_list_enabled": self.waiting_list_enabled.data,
            "waiting_list_cap": self.waiting_list_cap.data,
            "requires_account": self.requires_account.data,
            "promotion_needs_confirmation": self.promotion_needs_confirmation.data,
            "promotion_hours": self.promotion_hours.data,
            "reminder_days": self.reminder_days.data or "",
        }


class QuestionForm(FlaskForm):
    label = StringField(_l("Question"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Type de réponse"), choices=[(k.value, k.lazy_label) for k in QuestionKind], validators=[DataRequired(REQUIRED)])
    choices = TextAreaField(_l("Choix proposés"), validators=[Optional(), Length(max=2000)], description=_l("Pour un choix dans une liste : un choix par ligne."))
    required = BooleanField(_l("Réponse obligatoire"))


class ButtonForm(FlaskForm):
    """A button: CSRF only."""


class CancelEventForm(FlaskForm):
    reason = TextAreaField(_l("Raison de l'annulation"), validators=[DataRequired(REQUIRED), Length(max=2000)],
                           description=_l("Elle est écrite aux inscrits et affichée sur la page de l'événement."))


class MessageForm(FlaskForm):
    subject = StringField(_l("Objet"), validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(REQUIRED), Length(max=10000)])
    include_waiting = BooleanField(_l("L'envoyer aussi aux personnes en liste d'attente"))


class AttendanceForm(FlaskForm):
    attendance = RadioField(_l("Présence"), choices=[("present", _l("Présent")), ("absent", _l("Absent"))], validators=[DataRequired(REQUIRED)])


def registration_form(event, *, with_identity: bool):
    """The registration form of ``event``: identity without an account, guests, its questions, accessibility needs."""
    questions = tuple((q.id, q.kind, q.label, q.required, tuple(q.choice_list)) for q in event.questions)
    form = _registration_form_class(with_identity, event.max_guests, questions)()
    form.question_fields = [getattr(form, f"q_{question_id}") for question_id, *_rest in questions]
    return form


@functools.lru_cache(maxsize=256)
def _registration_form_class(with_identity: bool, max_guests: int, questions: tuple) -> type[FlaskForm]:
    """The form's class, built once for each shape of form (a class built at each request costs as much as the rest
    of the POST's checks). Its texts are lazy: one class serves every language."""

    class RegistrationForm(FlaskForm):
        accessibility_needs = TextAreaField(
            _l("Besoins liés à un handicap ou à une situation particulière (facultatif)"),
            validators=[Optional(), Length(max=2000, message=_l("2 000 caractères au plus."))],
            description=_l("Interprétation en langue des signes, boucle magnétique, accès en fauteuil, accompagnement… Nous nous organisons pour y répondre."),
        )

    fields = {}
    if with_identity:
        fields["name"] = StringField(_l("Nom et prénom"), validators=[DataRequired(REQUIRED), Length(max=120)], render_kw={"autocomplete": "name"})
        fields["email"] = EmailField(_l("Adresse électronique"), validators=[DataRequired(REQUIRED), Email(message=_l("Indiquez une adresse électronique valide, par exemple nom@exemple.fr."), check_deliverability=False), Length(max=254)],
                                     description=_l("Vous recevrez un lien pour confirmer votre inscription."), render_kw={"autocomplete": "email"})
    if max_guests:
        fields["guests"] = IntegerField(_l("Nombre d'accompagnants"), default=0,
                                        validators=[Optional(), NumberRange(min=0, max=max_guests, message=_l("Entre 0 et %(max_guests)s.", max_guests=max_guests))],
                                        description=_l("%(max_guests)s au plus ; chacun occupe une place.", max_guests=max_guests))
    for question_id, kind, label, required, choices in questions:
        validators = [DataRequired(_l("Répondez à cette question."))] if required else [Optional()]
        name = f"q_{question_id}"
        if kind == QuestionKind.text:
            fields[name] = StringField(label, validators=[*validators, Length(max=500)])
        elif kind == QuestionKind.choice:
            fields[name] = RadioField(label, choices=[(c, c) for c in choices], validators=validators)
        else:
            fields[name] = RadioField(label, choices=[("oui", _l("Oui")), ("non", _l("Non"))], validators=validators)
    for name, field in fields.items():
        setattr(RegistrationForm, name, field)
    return RegistrationForm


def answers_of(form, event) -> dict:
    return {str(q.id): getattr(form, f"q_{q.id}").data for q in event.questions}
