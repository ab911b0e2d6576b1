"""Test data, built through the services wherever a service exists."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from participation.accounts import services as accounts
from participation.accounts.models import Role, User
from participation.core.outbox import MailStatus, OutboxMail
from participation.extensions import db
from participation.territory.models import Commune, Department, Territory, Theme

PASSWORD = "un-mot-de-passe-solide"
_counter = itertools.count(1)


def territory(**values) -> Territory:
    existing = db.session.scalar(sa.select(Territory).limit(1))
    if existing is not None:
        for key, value in values.items():
            setattr(existing, key, value)
        return existing
    values.setdefault("name", "Agglomération de Test")
    values.setdefault("dpo_email", "dpo@collectivite.example")
    item = Territory(**values)
    db.session.add(item)
    db.session.flush()
    return item


def department(name: str | None = None, code: str | None = None, email: str | None = None) -> Department:
    n = next(_counter)
    item = Department(name=name or f"Direction {n}", code=code or f"DIR{n}", email=email or f"direction{n}@collectivite.example")
    db.session.add(item)
    db.session.flush()
    return item


def commune(name: str | None = None, insee_code: str | None = None, population: int | None = 1000) -> Commune:
    n = next(_counter)
    item = Commune(name=name or f"Commune {n}", insee_code=insee_code or f"{99000 + n % 1000:05d}", population=population)
    db.session.add(item)
    db.session.flush()
    return item


def theme(name: str | None = None) -> Theme:
    n = next(_counter)
    item = Theme(name=name or f"Thème {n}", slug=f"theme-{n}")
    db.session.add(item)
    db.session.flush()
    return item


def user(email: str | None = None, *, roles=(), department_=None, display_name: str | None = None, password: str = PASSWORD) -> User:
    """An active, confirmed account."""
    n = next(_counter)
    roles = [Role(r) for r in roles]
    if Role.staff in roles and department_ is None:
        department_ = department()
    return accounts.create_user(
        email=email or f"personne{n}@example.org",
        password=password,
        display_name=display_name or f"Personne {n}",
        roles=roles,
        department=department_,
    )


def admin(**kwargs) -> User:
    return user(roles=["admin"], **kwargs)


def staff(**kwargs) -> User:
    return user(roles=["staff"], **kwargs)


def mail(recipient: str | None = None, *, status: MailStatus = MailStatus.pending, **values) -> OutboxMail:
    """A row of the outbox, as the worker would find it."""
    n = next(_counter)
    values.setdefault("subject", f"Courriel {n}")
    values.setdefault("body_text", f"Bonjour,\n\nCeci est le courriel {n}.")
    values.setdefault("body_html", f"<p>Bonjour,</p><p>Ceci est le courriel {n}.</p>")
    values.setdefault("template", "test/example")
    if status == MailStatus.failed:
        values.setdefault("attempts", 8)
        values.setdefault("last_error", "(550, b'Mailbox unavailable')")
    item = OutboxMail(recipient=recipient or f"destinataire{n}@example.org", dedup_key=f"test:{n}", status=status, **values)
    db.session.add(item)
    db.session.flush()
    return item


# Consultations (forums) ------------------------------------------------------


def consultation(*, state: str = "open", premoderated: bool = False, opens_in_days: float = -1, closes_in_days: float = 14,
                 title: str | None = None, themes=(), communes=(), actor=None):
    """A consultation created and published by staff; ``state`` "draft", "published" (upcoming), "open" or "closed"."""
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.core.permissions import SYSTEM
    from participation.forums import services as forums

    n = next(_counter)
    now = utcnow()
    if state == "published" and opens_in_days <= 0:
        opens_in_days = 2
    item = forums.save_consultation(
        None,
        title=title or f"Concertation {n}",
        question=f"Que pensez-vous du projet {n} ?",
        presentation="Le projet **en détail**.",
        charter="Restez courtois et dans le sujet.",
        opens_at=now + timedelta(days=opens_in_days),
        closes_at=now + timedelta(days=closes_in_days),
        premoderated=premoderated,
        themes=themes,
        communes=communes,
        actor=actor or SYSTEM,
    )
    if state != "draft":
        forums.publish_consultation(item, actor=SYSTEM)
    if state == "closed":
        forums.close_consultation(item, actor=SYSTEM)
    return item


def participant(consultation_, **kwargs) -> User:
    """An active account that has accepted the consultation's charter."""
    from participation.forums import services as forums

    person = user(**kwargs)
    forums.accept_charter(consultation_, actor=person)
    return person


def topic(consultation_, author=None, *, title: str | None = None, body: str = "Mon avis sur le projet."):
    from participation.forums import services as forums

    author = author or participant(consultation_)
    return forums.open_topic(consultation_, title=title or f"Sujet {next(_counter)}", body=body, actor=author)


def pdf_bytes(size: int = 2000) -> bytes:
    head = b"%PDF-1.4\n"
    return head + b"0" * max(0, size - len(head))


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x2a\x6b\x9e")) + chunk(b"IEND", b""))


def upload(content: bytes, filename: str):
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(content), filename=filename)


def attachment(consultation_, *, image: bool = False, title: str | None = None, alt_text: str = "", content: bytes | None = None, actor=None):
    """A document (PDF) or an image (PNG) of a consultation's presentation, added by staff."""
    from participation.core.permissions import SYSTEM
    from participation.forums import attachments

    if image:
        data, name, alt_text = content or png_bytes(), "plan.png", alt_text or "Plan du quartier et de ses pistes cyclables"
    else:
        data, name = content or pdf_bytes(), "dossier.pdf"
    return attachments.add_attachment(consultation_, upload=upload(data, name), title=title or ("Plan du projet" if image else "Dossier de concertation"),
                                      alt_text=alt_text, actor=actor or SYSTEM)


# Grants ----------------------------------------------------------------------


def luhn_key(digits: str) -> str:
    """The digit that makes ``digits`` + it pass the Luhn check."""
    from participation.core.identifiers import luhn_valid

    return next(str(k) for k in range(10) if luhn_valid(digits + str(k)))


def siret(n: int | None = None) -> str:
    """A valid SIRET: a Luhn-valid SIREN, then an establishment number, the whole Luhn-valid."""
    n = next(_counter) if n is None else n
    siren = f"{41000000 + n:08d}"
    siren += luhn_key(siren)
    body = siren + f"{n % 10000:04d}"
    return body + luhn_key(body)


def association(representative: User | None = None, *, name: str | None = None, with_siret: bool = True, **values):
    from participation.grants import services as grants

    n = next(_counter)
    representative = representative or user()
    values.setdefault("rna", f"W{370000000 + n:09d}")
    values.setdefault("siret", siret(n) if with_siret else None)
    values.setdefault("address", f"{n} rue des Associations, 37910 Loirande")
    values.setdefault("purpose", "Animer la vie du quartier.")
    values.setdefault("email", f"asso{n}@example.org")
    return grants.declare_association(actor=representative, name=name or f"Association {n}", **values)


def grant_call(*, opens_in_days: int = -1, closes_in_days: int = 30, envelope_euros: int = 100_000, required=(), department_=None, **values):
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.core.permissions import SYSTEM
    from participation.grants import services as grants

    n = next(_counter)
    now = utcnow()
    return grants.save_call(
        None, actor=SYSTEM,
        title=values.pop("title", f"Appel à projets {n}"),
        description="Soutenir les projets associatifs.",
        eligibility="Associations loi 1901 du territoire.",
        envelope_cents=envelope_euros * 100,
        opens_at=now + timedelta(days=opens_in_days),
        closes_at=now + timedelta(days=closes_in_days),
        department_id=department_.id if department_ else None,
        required_documents=list(required),
        **values,
    )


def balanced_budget(total_cents: int, requested_cents: int) -> dict[str, int]:
    """Charges and products that balance, the request among the operating grants (74)."""
    return {"60": total_cents // 2, "64": total_cents - total_cents // 2, "74": requested_cents, "70": total_cents - requested_cents}


def grant_application(call=None, association_=None, *, requested_euros: int = 10_000, sign: bool = True, budget=None, **values):
    """A draft ready to submit: balanced budget, contrat d'engagement républicain signed."""
    from participation.grants import services as grants
    from participation.grants.models import PurposeKind

    call = call or grant_call()
    association_ = association_ or association()
    representative = association_.representatives[0].user
    application = grants.start_application(call, association_, actor=representative)
    requested = requested_euros * 100
    values.setdefault("purpose_kind", PurposeKind.project)
    grants.save_application(
        application, actor=representative,
        budget=budget if budget is not None else balanced_budget(requested * 2, requested),
        sign_cer=sign, project_title=values.pop("project_title", "Fête de quartier"), goals="Rassembler les habitants.",
        amount_requested_cents=requested, signatory="Marie Durand, présidente" if sign else None, **values,
    )
    return application


def submitted_application(*args, **kwargs):
    from participation.grants import services as grants

    application = grant_application(*args, **kwargs)
    grants.submit_application(application, actor=application.association.representatives[0].user)
    return application


def granted_application(*args, amount_euros: int = 10_000, decided_on=None, instructor=None, **kwargs):
    from datetime import date

    from participation.core.permissions import SYSTEM
    from participation.grants import services as grants
    from participation.grants.models import PaymentTerms

    application = submitted_application(*args, **kwargs)
    actor = instructor or SYSTEM
    grants.start_review(application, actor=actor)
    grants.grant(application, amount_cents=amount_euros * 100, decided_on=decided_on or date.today(), reference=f"DEL-{application.id}",
                 payment_terms=PaymentTerms.single, payment_from=decided_on or date.today(), actor=actor)
    return application


def event(*, publish: bool = True, actor=None, themes=(), communes=(), **values):
    """An event (published unless told), starting in ten days, two hours long, 20 places."""
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.core.permissions import SYSTEM
    from participation.events import services as events

    n = next(_counter)
    start = values.pop("starts_at", None) or (utcnow() + timedelta(days=10)).replace(microsecond=0)
    values.setdefault("title", f"Atelier citoyen {n}")
    values.setdefault("place_name", "Salle des fêtes")
    values.setdefault("address", "1 place de la Mairie, 37910 Loirande")
    values.setdefault("ends_at", start + timedelta(hours=2))
    values.setdefault("capacity", 20)
    values.setdefault("reminder_days", "7,1")
    item = events.create_event({"starts_at": start, **values}, themes=themes, communes=communes, actor=actor or SYSTEM)
    if publish:
        events.publish_event(item, actor=actor or SYSTEM)
    db.session.flush()
    return item


# --- Councils ---------------------------------------------------------------


def neighbourhood(name: str | None = None, commune_=None):
    from participation.territory.models import Neighbourhood

    n = next(_counter)
    item = Neighbourhood(name=name or f"Quartier {n}", qpv_code=f"QN{n:06d}", commune_id=(commune_ or commune()).id)
    db.session.add(item)
    db.session.flush()
    return item


def council(name: str | None = None, *, kind: str = "development", colleges=(("Collège des habitants", 30), ("Collège des acteurs", 30)),
            published: bool = True, manager=None, **values):
    """A council with its colleges, set up through the services."""
    from participation.core.permissions import SYSTEM
    from participation.councils import services as councils
    from participation.councils.models import CollegeKind, CouncilKind

    n = next(_counter)
    if kind == "citizen":
        values.setdefault("neighbourhood", neighbourhood())
    item = councils.save_council(None, name=name or f"Conseil {n}", kind=CouncilKind(kind), manager=manager, actor=SYSTEM, **values)
    for college_name, seats in colleges:
        college_kind = CollegeKind.drawn_residents if kind == "citizen" and "habitant" in college_name.lower() else CollegeKind.other
        councils.add_college(item, name=college_name, seats=seats, kind=college_kind, actor=SYSTEM)
    if published:
        councils.change_council_state(item, "publish", actor=SYSTEM)
    return item


def member(council_, *, college=None, user_=None, gender: str = "woman", birth_year: int = 1980, role: str = "member",
           elected_councillor: bool = False):
    """An active member, invited and accepted."""
    from participation.core.permissions import SYSTEM
    from participation.councils import services as councils

    user_ = user_ or user()
    college = college or council_.colleges[0]
    membership = councils.invite_member(council_, college=college, name=user_.display_name, email=user_.email, role=role, actor=SYSTEM)
    councils.accept_invitation(membership, gender=gender, birth_year=birth_year, elected_councillor=elected_councillor, actor=user_)
    db.session.flush()
    return membership


def sitting(council_, *, days: float = 10, items: int = 1, publish: bool = False, **values):
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.core.permissions import SYSTEM
    from participation.councils.sittings import add_agenda_item, create_sitting, publish_sitting

    values.setdefault("title", f"Séance {next(_counter)}")
    values.setdefault("place", "Salle du conseil, hôtel d'agglomération")
    item = create_sitting(council_, starts_at=utcnow().replace(microsecond=0) + timedelta(days=days), actor=SYSTEM, **values)
    for i in range(items):
        add_agenda_item(item, title=f"Point {i + 1}", actor=SYSTEM)
    if publish:
        publish_sitting(item, actor=SYSTEM)
    return item


# Territorial plans ---------------------------------------------------------------------


def plan(*, title: str | None = None, kind: str = "territory_project", start_year: int = 2025, end_year: int = 2035, state: str = "drafting",
         axes: int = 0, objectives: int = 0, actions: int = 0, manager=None):
    """A plan with ``axes`` axes of ``objectives`` objectives of ``actions`` actions, taken to ``state`` through its workflow."""
    from participation.core.permissions import SYSTEM
    from participation.plans import services as plans

    item = plans.save_plan(None, actor=SYSTEM, title=title or f"Plan {next(_counter)}", kind=kind, start_year=start_year,
                           end_year=end_year, summary="Un plan pour le territoire.", manager=manager)
    for a in range(axes):
        axis = plans.add_axis(item, title=f"Axe de travail {a + 1}", actor=SYSTEM)
        for o in range(objectives):
            objective = plans.add_objective(axis, title=f"Objectif {a + 1}.{o + 1}", actor=SYSTEM)
            for n in range(actions):
                plans.save_action(None, node=objective, actor=SYSTEM, title=f"Action {a + 1}.{o + 1}.{n + 1}")
    path = {"drafting": [], "consultation": ["consult"], "adopted": ["adopt"], "running": ["adopt", "start"],
            "evaluation": ["adopt", "start", "evaluate"], "closed": ["adopt", "start", "evaluate", "close"]}[state]
    for transition in path:
        plans.change_plan_state(item, transition, actor=SYSTEM)
    return item
# --- Questionnaires ------------------------------------------------------------


def questionnaire(*, access: str = "open", title: str | None = None, actor=None, **values):
    """An empty draft questionnaire (one section « Questions »); add questions with ``survey_question``, then ``open_survey``."""
    from participation.core.permissions import SYSTEM
    from participation.surveys import services as surveys
    from participation.surveys.models import Access

    item = surveys.save_questionnaire(None, {
        "title": title or f"Questionnaire {next(_counter)}", "purpose": "Connaître les besoins des habitants.",
        "legal_basis": "L'Agglomération, mission d'intérêt public.", "recipients": "Le service participation.",
        "access": Access(access), **values}, actor=actor or SYSTEM)
    return item


def survey_question(questionnaire_, kind: str, label: str, *, section=None, condition=None, **values):
    from participation.core.permissions import SYSTEM
    from participation.surveys import services as surveys
    from participation.surveys.models import QuestionKind

    values.setdefault("public", True)
    return surveys.add_question(section or questionnaire_.sections[0], QuestionKind(kind), {"label": label, **values},
                                condition=condition, actor=SYSTEM)


def open_survey(questionnaire_):
    from participation.core.permissions import SYSTEM
    from participation.surveys import services as surveys

    surveys.open_questionnaire(questionnaire_, actor=SYSTEM)
    db.session.flush()
    return questionnaire_


def survey_with_every_kind(*, open_: bool = True, **values):
    """Three sections: the profile, every other kind of question, and a section shown only to those who
    answer « Oui » to the first question of the second. Returns (questionnaire, {name: question})."""
    from participation.core.permissions import SYSTEM
    from participation.surveys import services as surveys

    if not db.session.scalar(sa.select(Commune.id).limit(1)):
        commune("Loirande")
        commune("Saint-Aubin")
    item = questionnaire(title=values.pop("title", "Vos besoins"), **values)
    profile = item.sections[0]
    surveys.update_section(profile, title="Vous", actor=SYSTEM)
    needs = surveys.add_section(item, title="Vos besoins", actor=SYSTEM)
    q = {}
    q["commune"] = survey_question(item, "commune", "Dans quelle commune habitez-vous ?", section=profile)
    q["qpv"] = survey_question(item, "qpv", "Habitez-vous un quartier prioritaire ?", section=profile)
    q["age"] = survey_question(item, "age_band", "Quel âge avez-vous ?", section=profile)
    q["gender"] = survey_question(item, "gender", "Vous êtes :", section=profile)
    q["bus"] = survey_question(item, "single", "Prenez-vous le bus ?", section=needs, options="Oui\nNon", required=True)
    q["needs"] = survey_question(item, "multiple", "Vos besoins prioritaires", section=needs,
                                 options="Logement\nTransports\nSanté\nCulture", allow_other=True, max_choices=2, required=True)
    q["satisfaction"] = survey_question(item, "scale", "Votre satisfaction générale", section=needs, minimum=1, maximum=5,
                                        low_label="Pas du tout satisfait", high_label="Très satisfait")
    q["services"] = survey_question(item, "matrix", "Notez ces services", section=needs, items="Piscine\nMédiathèque",
                                    minimum=1, maximum=5)
    q["ranking"] = survey_question(item, "ranking", "Classez ces projets", section=needs, options="Parc\nPiste cyclable\nMarché")
    q["household"] = survey_question(item, "number", "Combien de personnes vivent dans votre foyer ?", section=needs, minimum=1, maximum=20)
    from datetime import date

    q["arrival"] = survey_question(item, "date", "Depuis quand habitez-vous ici ?", section=needs,
                                   min_date=date(1920, 1, 1), max_date=date(2030, 12, 31))
    q["channel"] = survey_question(item, "single", "Comment vous informez-vous ?", section=needs, options="Journal\nSite internet\nAffichage",
                                   display="list")
    q["idea"] = survey_question(item, "short_text", "Une idée en quelques mots", section=needs)
    q["comment"] = survey_question(item, "long_text", "Un commentaire ?", section=needs)
    transport = surveys.add_section(item, title="Le bus", condition=(q["bus"], "Oui"), actor=SYSTEM)
    q["frequency"] = survey_question(item, "single", "À quelle fréquence ?", section=transport,
                                     options="Chaque jour\nChaque semaine\nPlus rarement", required=True)
    if open_:
        open_survey(item)
    return item, q
def article(*, title: str | None = None, publish: bool = True, themes=(), communes=(), actor=None, **values):
    """A news article (published unless told), written by staff."""
    from participation.core.permissions import SYSTEM
    from participation.news import services as news

    item = news.save_article(None, title=title or f"Actualité {next(_counter)}", summary=values.pop("summary", "Ce qui change."),
                             body=values.pop("body", "Le **texte** de l'article."), themes=themes, communes=communes,
                             actor=actor or SYSTEM, **values)
    if publish:
        news.publish(item, actor=actor or SYSTEM)
    return item


def subscriber(email: str | None = None, *, communes=(), themes=(), confirmed: bool = True):
    """A newsletter subscriber without an account, confirmed unless told."""
    from participation.core.models import utcnow
    from participation.news.models import Subscriber

    item = Subscriber(email=email or f"abonne{next(_counter)}@example.org", consent_source="formulaire",
                      confirmed_at=utcnow() if confirmed else None, communes=list(communes), themes=list(themes))
    db.session.add(item)
    db.session.flush()
    return item
