from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

REQUIRED = _l("Ce champ est obligatoire.")
EMAIL = Email(message=_l("Indiquez une adresse électronique valide, par exemple nom@exemple.fr."), check_deliverability=False)


def commune_choices() -> list[tuple[str, str]]:
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.territory.models import Commune

    communes = db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name)).all()
    return [("", _("— Je préfère ne pas le dire —")), *[(str(cid), name) for cid, name in communes]]


class SignupForm(FlaskForm):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(REQUIRED), EMAIL, Length(max=254)],
                       description=_l("Elle ne sera jamais affichée publiquement."))
    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(REQUIRED), Length(max=80, message=_l("80 caractères au plus."))],
                               description=_l("Le nom qui accompagne vos contributions publiques. Un pseudonyme convient."))
    commune = SelectField(_l("Commune de résidence (facultatif)"), choices=[], validators=[Optional()],
                          description=_l("Elle sert aux statistiques des concertations ; elle n'est jamais affichée."))
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED)],
                             description=_l("Au moins 10 caractères."))
    password_confirm = PasswordField(_l("Confirmation du mot de passe"),
                                     validators=[DataRequired(REQUIRED), EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques."))])


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(REQUIRED), EMAIL])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED)])
    remember = BooleanField(_l("Rester connecté sur cet appareil"))


class EmailForm(FlaskForm):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(REQUIRED), EMAIL])


class ConfirmForm(FlaskForm):
    """A button: following a link from a mail does not change anything by itself."""


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(REQUIRED)], description=_l("Au moins 10 caractères."))
    password_confirm = PasswordField(_l("Confirmation du mot de passe"),
                                     validators=[DataRequired(REQUIRED), EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques."))])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(REQUIRED), Length(max=80, message=_l("80 caractères au plus."))],
                               description=_l("Le nom qui accompagne vos contributions publiques. Un pseudonyme convient."))
    commune = SelectField(_l("Commune de résidence (facultatif)"), choices=[], validators=[Optional()])
    locale = SelectField(_l("Langue de l'interface"), choices=[("fr", "Français"), ("en", "English")],
                         description=_l("Les courriels de la plateforme vous sont écrits dans cette langue."))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(REQUIRED)], description=_l("Au moins 10 caractères."))
    password_confirm = PasswordField(_l("Confirmation du nouveau mot de passe"),
                                     validators=[DataRequired(REQUIRED), EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques."))])


class CloseAccountForm(FlaskForm):
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED)],
                             description=_l("Pour confirmer qu'il s'agit bien de vous."))
    confirm = BooleanField(_l("Je comprends que la fermeture est définitive."),
                           validators=[DataRequired(_l("Cochez cette case pour confirmer la fermeture."))])


class LogoutForm(FlaskForm):
    pass
