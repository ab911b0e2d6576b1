"""How the questionnaires tell people: a person with an account through
``notifications.services.tell()`` (category « Les questionnaires », mailed as they
chose); an invited address without an account by a direct mail (``mail``)."""

from __future__ import annotations

from participation.core.urls import external_url
from participation.notifications.models import Category
from participation.notifications.services import mail_address, tell_all
from flask_babel import lazy_gettext as _l


def tell(users, title: str, *, body: str | None = None, url: str | None = None, event=None, dedup_key: str | None = None,
         about: str | None = None) -> int:
    """Tell ``users`` about a questionnaire: a notice, and a mail as each chose for « Les questionnaires »."""
    return tell_all(users, Category.questionnaires, title, body=body, url=url, event=event, dedup_key=dedup_key, about=about)


def mail(*, to: str, subject: str, lines: list[str], questionnaire, dedup_key: str, link_url: str | None = None,
         link_label: str | None = None, user=None):
    """A mail to an address (an invited person, who may have no account), through the outbox."""
    return mail_address(reason="own_case", to=to, user=user, subject=subject, template="surveys/notice", dedup_key=dedup_key, lines=lines,
                      questionnaire=questionnaire, link_url=link_url, link_label=link_label)


def invitation_mail(questionnaire, invitation, token: str, *, reminder: bool) -> None:
    link = external_url("surveys.invitation", token=token)
    if reminder:
        subject = _l("Rappel : votre avis compte (%(title)s)", title=questionnaire.title)
        lines = [_l("Vous avez été invité à répondre à ce questionnaire et nous n'avons pas encore reçu votre réponse."),
                 _l("Voici votre lien personnel ; il remplace celui du premier courriel. Il ne sert qu'une fois : "
                 "vos réponses sont gardées au fil des pages et vous pouvez reprendre plus tard avec ce même lien."),
                 _l("Ce rappel est le seul que vous recevrez.")]
    else:
        subject = _l("Votre avis : %(title)s", title=questionnaire.title)
        lines = [_l("Vous êtes invité à répondre à ce questionnaire. Le lien ci-dessous est personnel et ne sert qu'une fois : "
                 "ne le transférez pas. Vous pouvez vous arrêter et reprendre plus tard avec ce même lien.")]
    mail(to=invitation.email, subject=subject, lines=lines, questionnaire=questionnaire,
         dedup_key=f"questionnaire.{'reminder' if reminder else 'invitation'}:{invitation.id}",
         link_url=link, link_label=_l("Répondre au questionnaire"))
