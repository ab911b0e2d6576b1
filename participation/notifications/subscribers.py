"""Notices in "my data", and erased with the account."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import personal_data
from participation.core.eventlog import DomainEvent, subscribe
from participation.extensions import db
from participation.notifications.models import DigestSchedule, Notification, NotificationPreference, Unsubscription
from flask_babel import lazy_gettext as _l


@subscribe("user.closed")
def erase_notifications(event: DomainEvent) -> None:
    db.session.execute(sa.delete(Notification).where(Notification.user_id == event.subject_id))
    db.session.execute(sa.delete(NotificationPreference).where(NotificationPreference.user_id == event.subject_id))
    db.session.execute(sa.delete(DigestSchedule).where(DigestSchedule.user_id == event.subject_id))
    db.session.execute(sa.update(Unsubscription).where(Unsubscription.user_id == event.subject_id).values(email=None))


@personal_data.section("notifications")
def notifications_section(user) -> list[dict]:
    rows = db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)).all()
    return [{"titre": n.title, "texte": n.body, "date": n.created_at.isoformat(), "lue": n.is_read} for n in rows]


@personal_data.section("courriels_choisis")
def preferences_section(user) -> dict:
    """What the person chose to receive, and the unsubscriptions made from a mail's link."""
    from participation.notifications.services import all_preferences, schedule_of

    schedule = schedule_of(user)
    unsubscriptions = db.session.scalars(sa.select(Unsubscription).where(Unsubscription.user_id == user.id).order_by(Unsubscription.id)).all()
    return {
        "par_categorie": {category.label: delivery.label for category, delivery in all_preferences(user).items()},
        "heure_des_resumes": schedule.hour,
        "jour_du_resume_hebdomadaire": schedule.weekday,
        "desinscriptions": [{"categorie": u.category.label, "par": u.source, "date": u.created_at.isoformat()} for u in unsubscriptions],
    }


@subscribe("mail.failed")
def tell_admins_mail_failed(event: DomainEvent) -> None:
    """A mail that could not be delivered: admins hear of it, once a day at most (a dead SMTP server fails many)."""
    from participation.notifications.models import Category, Delivery
    from participation.notifications.services import staff_audience, tell

    from participation.core.models import utcnow

    day = utcnow().date().isoformat()
    for admin in staff_audience("admin"):
        # In the app only: a mail about mail that fails would likely fail too.
        tell(admin, Category.staff_work, _l("Des courriels n'ont pas pu être remis"), url="/gestion/courriels", event=event,
             dedup_key=f"mail.failed:{day}", about=_l("Courriels"), delivery=Delivery.none,
             body=_l("Au moins un courriel est en échec définitif après plusieurs tentatives : vérifiez l'adresse ou le serveur d'envoi, puis relancez-le."))
