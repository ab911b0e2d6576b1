"""Demo questionnaires: the needs survey in two waves (2025, 2027) with enough answers for charts,
and a satisfaction questionnaire sent to an event's attendees.

``seed_responses`` writes many synthetic responses in bulk; the benchmark and
the scale test use it too.
"""

from __future__ import annotations

import random
from types import SimpleNamespace
from datetime import date, timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.surveys import services
from participation.surveys.models import (
    AGE_BANDS,
    GENDERS,
    NO_ANSWER,
    NOT_IN_QPV,
    OTHER,
    Access,
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
)

NOTICE = {
    "legal_basis": "L'Agglomération du Val de Loirande, responsable du traitement, au titre de sa mission d'intérêt public (article 6-1-e du RGPD).",
    "recipients": "La mission démocratie participative de l'Agglomération ; les résultats sont publiés sans jamais montrer un groupe de moins de 5 personnes.",
}


def _weighted(rng: random.Random, options: list[str], tilt: float = 0.0) -> str:
    """An option, the first ones more likely (``tilt`` shifts the weights towards the last ones)."""
    weights = [max(0.2, len(options) - i + tilt * i) for i in range(len(options))]
    return rng.choices(options, weights=weights)[0]


def seed_responses(questionnaire: Questionnaire, count: int, *, seed: int = 1, tilt: float = 0.0, batch: int = 2000) -> int:
    """Add ``count`` sent responses with plausible answers to every question, in bulk (a few statements per batch)."""
    from participation.territory.models import Commune, Neighbourhood

    rng = random.Random(seed)
    communes = list(db.session.execute(sa.select(Commune.id, Commune.name)).all())
    quarters = list(db.session.scalars(sa.select(Neighbourhood.name)))
    # Plain copies: reading mapped attributes 300,000 times would cost more than the inserts.
    questions = [SimpleNamespace(id=q.id, kind=q.kind, required=q.required, options=list(q.options), items=list(q.items),
                                 scale_values=q.scale_values, setting=dict(q.settings or {}).get, section_id=q.section_id,
                                 condition_question_id=q.condition_question_id, condition_value=q.condition_value)
                 for q in questionnaire.ordered_questions()]
    conditions = {q.id: (q.condition_question_id, q.condition_value) for q in questions if q.condition_question_id}
    section_conditions = {s.id: (s.condition_question_id, s.condition_value) for s in questionnaire.sections if s.condition_question_id}
    now = utcnow()
    made = 0
    # Codes go on from the responses already there (a second seeding of the same questionnaire).
    offset = db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.questionnaire_id == questionnaire.id)) or 0
    while made < count:
        size = min(batch, count - made)
        responses, answers = [], []
        for n in range(size):
            response_id = n  # the index in this batch, replaced by the id once inserted
            row = {"questionnaire_id": questionnaire.id, "code": f"D{questionnaire.id % 10000:04d}{offset + made + n:07d}", "draft": {},
                   "started_at": now - timedelta(minutes=rng.randint(5, 60 * 24 * 20)), "submitted_at": now - timedelta(minutes=rng.randint(1, 60 * 24 * 20)),
                   "commune_id": None, "qpv": None, "age_band": None, "gender": None}
            chosen: dict[int, set] = {}
            for question in questions:
                condition = section_conditions.get(question.section_id) or conditions.get(question.id)
                if condition and condition[1] not in chosen.get(condition[0], set()):
                    continue
                if not question.required and rng.random() < 0.08:
                    continue
                values = _values(question, rng, tilt, communes, quarters)
                chosen[question.id] = {v.get("choice") for v in values}
                for value in values:
                    answers.append({"response_id": response_id, "question_id": question.id, "item": None, "choice": None,
                                    "number": None, "text": None, "date_value": None, **value})
                if question.kind == QuestionKind.commune and values[0]["choice"] != NO_ANSWER:
                    row["commune_id"] = next((cid for cid, name in communes if name == values[0]["choice"]), None)
                elif question.kind == QuestionKind.qpv and values[0]["choice"] != NO_ANSWER:
                    row["qpv"] = values[0]["choice"]
                elif question.kind == QuestionKind.age_band and values[0]["choice"] in AGE_BANDS:
                    row["age_band"] = values[0]["choice"]
                elif question.kind == QuestionKind.gender and values[0]["choice"] in GENDERS:
                    row["gender"] = values[0]["choice"]
            responses.append(row)
        ids = db.session.scalars(Response.__table__.insert().returning(Response.__table__.c.id, sort_by_parameter_order=True), responses).all()
        for answer in answers:
            answer["response_id"] = ids[answer["response_id"]]
        if answers:
            db.session.execute(Answer.__table__.insert(), answers)
        made += size
    return made


TEXTS = ["Plus de bus le soir.", "Des pistes cyclables sûres vers le collège.", "Un médecin de plus dans le quartier.",
         "Des animations pour les jeunes l'été.", "Rénover la salle des fêtes.", "Des bancs et de l'ombre au parc."]


def _values(question: Question, rng: random.Random, tilt: float, communes, quarters) -> list[dict]:
    kind = question.kind
    if kind == QuestionKind.single:
        choice = _weighted(rng, question.options, tilt)
        return [{"choice": choice}]
    if kind == QuestionKind.multiple:
        limit = question.setting("max_choices") or len(question.options)
        picked = rng.sample(question.options, rng.randint(1, min(limit, len(question.options))))
        rows = [{"choice": c} for c in picked]
        if question.setting("allow_other") and len(picked) < limit and rng.random() < 0.05:
            rows.append({"choice": OTHER, "text": rng.choice(TEXTS)})
        return rows
    if kind == QuestionKind.scale:
        value = _weighted(rng, [str(v) for v in reversed(question.scale_values)], tilt)
        return [{"choice": value, "number": int(value)}]
    if kind == QuestionKind.matrix:
        rows = []
        for item in question.items:
            value = _weighted(rng, [str(v) for v in reversed(question.scale_values)], tilt)
            rows.append({"item": item, "choice": value, "number": int(value)})
        return rows
    if kind == QuestionKind.ranking:
        order = list(question.options)
        rng.shuffle(order)
        return [{"item": option, "choice": str(rank), "number": rank} for rank, option in enumerate(order, start=1)]
    if kind in (QuestionKind.short_text, QuestionKind.long_text):
        return [{"text": rng.choice(TEXTS)}]
    if kind == QuestionKind.number:
        low, high = question.setting("min") or 0, question.setting("max") or 10
        return [{"number": rng.randint(low, min(high, low + 6))}]
    if kind == QuestionKind.date:
        day = date(2000, 1, 1) + timedelta(days=rng.randint(0, 9000))
        return [{"date_value": day, "choice": day.isoformat()[:7]}]
    if kind == QuestionKind.commune:
        return [{"choice": rng.choice([name for _, name in communes] + [NO_ANSWER]) if communes else NO_ANSWER}]
    if kind == QuestionKind.qpv:
        return [{"choice": rng.choice(quarters + [NOT_IN_QPV] * 4 + [NO_ANSWER]) if quarters else NOT_IN_QPV}]
    if kind == QuestionKind.age_band:
        return [{"choice": rng.choice(list(AGE_BANDS) + [NO_ANSWER])}]
    return [{"choice": rng.choice(list(GENDERS[:2]) * 4 + [GENDERS[2], NO_ANSWER])}]


def build_needs_questionnaire(*, wave_label: str, actor=SYSTEM) -> tuple[Questionnaire, dict]:
    """The territory's needs survey: profile, needs, a mobility section for those who drive or take the bus."""
    questionnaire = services.save_questionnaire(None, {
        "title": "Les besoins des habitants du Val de Loirande", "wave_label": wave_label,
        "introduction": "Tous les deux ans, l'Agglomération interroge les habitants sur leurs besoins : logement, mobilité, santé, loisirs. "
                        "Répondre prend une dizaine de minutes.",
        "purpose": "Observer les besoins de la population et leur évolution d'une vague à l'autre, pour préparer le projet de territoire.",
        "access": Access.open, "retention_months": 12, **NOTICE}, actor=actor)
    profile = questionnaire.sections[0]
    services.update_section(profile, title="Vous", description="Ces questions sont facultatives.", actor=actor)
    needs = services.add_section(questionnaire, title="Vos besoins", actor=actor)

    def ask(section, kind, label, **values):
        return services.add_question(section, QuestionKind(kind), {"label": label, "public": True, **values}, actor=actor)

    q = {
        "commune": ask(profile, "commune", "Dans quelle commune habitez-vous ?"),
        "qpv": ask(profile, "qpv", "Habitez-vous un quartier prioritaire ?"),
        "age": ask(profile, "age_band", "Quel âge avez-vous ?"),
        "gender": ask(profile, "gender", "Vous êtes :"),
        "priorities": ask(needs, "multiple", "Quels sont vos besoins prioritaires ?", options="Logement\nTransports\nSanté\nEmploi\nLoisirs",
                          max_choices=2, allow_other=True, required=True),
        "satisfaction": ask(needs, "scale", "Êtes-vous satisfait de la vie dans le territoire ?", minimum=1, maximum=5,
                            low_label="Pas du tout satisfait", high_label="Très satisfait", required=True),
        "services": ask(needs, "matrix", "Notez ces services publics", items="Transports en commun\nÉquipements sportifs\nAccès aux soins",
                        minimum=1, maximum=5),
        "mode": ask(needs, "single", "Comment vous déplacez-vous le plus souvent ?", options="Voiture\nBus\nVélo\nÀ pied", required=True),
        "household": ask(needs, "number", "Combien de personnes vivent dans votre foyer ?", minimum=1, maximum=15),
        "idea": ask(needs, "long_text", "Une idée pour le territoire ?"),
    }
    mobility = services.add_section(questionnaire, title="Le bus", condition=(q["mode"], "Bus"), actor=actor)
    q["frequency"] = ask(mobility, "single", "Le bus passe-t-il assez souvent ?", options="Oui\nNon\nSans avis", required=True)
    return questionnaire, q


def load_surveys_demo() -> None:
    from participation.accounts.models import User
    from participation.events.models import Event

    agent = db.session.scalar(sa.select(User).where(User.email == "agent@demo.example")) or SYSTEM
    now = utcnow()
    first, _ = build_needs_questionnaire(wave_label="2025")
    services.open_questionnaire(first, actor=SYSTEM, now=now - timedelta(days=700))
    seed_responses(first, 180, seed=2025)
    services.close_questionnaire(first, actor=SYSTEM, now=now - timedelta(days=640))
    services.publish_results(first, analysis="Les transports et la santé arrivent en tête des besoins exprimés. "
                                             "Les habitants des communes rurales demandent plus de bus.",
                             public_question_ids=[q.id for q in first.questions], actor=SYSTEM, now=now - timedelta(days=600))
    second = services.new_wave(first, wave_label="2027", actor=agent)
    services.save_questionnaire(second, {"closes_at": now + timedelta(days=45)}, actor=agent)
    services.open_questionnaire(second, actor=SYSTEM, now=now - timedelta(days=10))
    seed_responses(second, 140, seed=2027, tilt=0.6)

    event = db.session.scalar(sa.select(Event).where(Event.title == "Rencontres de la vie associative"))
    satisfaction = services.save_questionnaire(None, {
        "title": "Votre avis sur les Rencontres de la vie associative",
        "purpose": "Améliorer la prochaine édition des Rencontres de la vie associative.",
        "access": Access.invitation, "retention_months": 6, "event_id": getattr(event, "id", None), **NOTICE}, actor=agent)
    section = satisfaction.sections[0]
    services.update_section(section, title="Votre avis", actor=agent)
    for kind, label, values in (
        ("scale", "Êtes-vous satisfait de la journée ?", {"minimum": 0, "maximum": 10, "low_label": "Pas du tout", "high_label": "Tout à fait", "required": True}),
        ("multiple", "Qu'avez-vous apprécié ?", {"options": "Les ateliers\nLes tables rondes\nLe forum des bénévoles\nL'accueil", "allow_other": True}),
        ("ranking", "Classez les thèmes à approfondir l'an prochain", {"options": "Bénévolat\nFinancements\nCommunication"}),
        ("long_text", "Une suggestion pour la prochaine édition ?", {}),
    ):
        services.add_question(section, QuestionKind(kind), {"label": label, "public": True, **values}, actor=agent)
    services.open_questionnaire(satisfaction, actor=agent)
    seed_responses(satisfaction, 24, seed=7)
    db.session.flush()
