from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

REQUIRED = "Ce champ est obligatoire."
EMAIL = Email(message="Indiquez une adresse électronique valide, par exemple nom@exemple.fr.", check_deliverability=False)


def commune_choices() -> list[tuple[str, str]]:
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.territory.models import Commune

    communes = db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name)).all()
    return [("", "— Je préfère ne pas le dire —"), *[(str(cid), name) for cid, name in communes]]


class SignupForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(REQUIRED), EMAIL, Length(max=254)],
                       description="Elle ne sera jamais affichée publiquement.")
    display_name = StringField("Nom affiché", validators=[DataRequired(REQUIRED), Length(max=80, message="80 caractères au plus.")],
                               description="Le nom qui accompagne vos contributions publiques. Un pseudonyme convient.")
    commune = SelectField("Commune de résidence (facultatif)", choices=[], validators=[Optional()],
                          description="Elle sert aux statistiques des concertations ; elle n'est jamais affichée.")
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED)],
                             description="Au moins 10 caractères.")
    password_confirm = PasswordField("Confirmation du mot de passe",
                                     validators=[DataRequired(REQUIRED), EqualTo("password", message="Les deux mots de passe ne sont pas identiques.")])


class LoginForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(REQUIRED), EMAIL])
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED)])
    remember = BooleanField("Rester connecté sur cet appareil")


class EmailForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(REQUIRED), EMAIL])


class ConfirmForm(FlaskForm):
    """A button: following a link from a mail does not change anything by itself."""


class ResetPasswordForm(FlaskForm):
    password = PasswordField("Nouveau mot de passe", validators=[DataRequired(REQUIRED)], description="Au moins 10 caractères.")
    password_confirm = PasswordField("Confirmation du mot de passe",
                                     validators=[DataRequired(REQUIRED), EqualTo("password", message="Les deux mots de passe ne sont pas identiques.")])


class ProfileForm(FlaskForm):
    display_name = StringField("Nom affiché", validators=[DataRequired(REQUIRED), Length(max=80, message="80 caractères au plus.")],
                               description="Le nom qui accompagne vos contributions publiques. Un pseudonyme convient.")
    commune = SelectField("Commune de résidence (facultatif)", choices=[], validators=[Optional()])
    locale = SelectField("Langue de l'interface", choices=[("fr", "Français"), ("en", "English")])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Mot de passe actuel", validators=[DataRequired(REQUIRED)])
    password = PasswordField("Nouveau mot de passe", validators=[DataRequired(REQUIRED)], description="Au moins 10 caractères.")
    password_confirm = PasswordField("Confirmation du nouveau mot de passe",
                                     validators=[DataRequired(REQUIRED), EqualTo("password", message="Les deux mots de passe ne sont pas identiques.")])


class CloseAccountForm(FlaskForm):
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED)],
                             description="Pour confirmer qu'il s'agit bien de vous.")
    confirm = BooleanField("Je comprends que la fermeture est définitive.",
                           validators=[DataRequired("Cochez cette case pour confirmer la fermeture.")])


class LogoutForm(FlaskForm):
    pass
