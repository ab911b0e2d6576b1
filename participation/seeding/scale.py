"""``flask seed scale``: an agglomeration's six-year mandate of data, for measuring the platform at scale.

The demo is loaded first (its accounts, one thing of each kind in each state);
then each domain's rows are multiplied from the demo's own rows (see
``bulk.Bulk``), spread over the five and a half years before today and the
half-year after. At ``factor=1``: 141,000 inhabitants in 72 communes, 20,000
accounts, 30 councils with 1,200 members and 2,000 sittings, 600 referrals
with their opinions, versions and answers, 300 consultations with 200,000
contributions (one consultation with 10,000 topics, one topic with 5,000
contributions) and 400,000 reactions, 2,000 events with 60,000
registrations, 1,500 associations with 4,000 grant applications, 50,000
questionnaire responses, 300 articles, 8,000 newsletter subscribers, and the
event log and notifications these imply (a notice waiting for a daily digest
for every account). Deterministic: the same factor gives the same data.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.seeding import words
from participation.seeding.bulk import Bulk, analyze, spread, table

INHABITANTS = 141_000
COMMUNES = 72

# Volumes at factor 1.
VOLUMES = {
    "users": 20_000,
    "councils": 30,
    "memberships": 1_200,
    "sittings": 2_000,
    "referrals": 600,
    "consultations": 300,
    "contributions": 200_000,
    "reactions": 400_000,
    "big_consultation_topics": 10_000,
    "big_topic_contributions": 5_000,
    "events": 2_000,
    "registrations": 60_000,
    "associations": 1_500,
    "grant_applications": 4_000,
    "survey_responses": 50_000,
    "articles": 300,
    "subscribers": 8_000,
}


class NotEmpty(Exception):
    pass


def volumes(factor: float) -> dict[str, int]:
    return {name: max(1, round(count * factor)) for name, count in VOLUMES.items()}


def is_empty(connection: sa.Connection) -> bool:
    return not any(connection.scalar(sa.select(sa.func.count()).select_from(table(name))) for name in ("territories", "users"))


def load(factor: float = 1.0, *, say=print) -> dict[str, int]:
    """Fill the empty database of the current app; returns the rows written per table (beyond the demo's)."""
    from participation import demo
    from participation.extensions import db

    if not is_empty(db.session.connection()):
        raise NotEmpty()
    demo.load()
    db.session.flush()
    bulk = Bulk(db.session.connection(), say=say)
    bulk.say("démonstration chargée")
    fill(bulk, volumes(factor))
    bulk.fix_sequences()
    db.session.commit()
    # The connection above went back to the pool with the commit: the statistics are gathered on a new one.
    analyze(db.session.connection())
    db.session.commit()
    bulk.say("terminé")
    return dict(bulk.counts)


def fill(b: Bulk, v: dict[str, int]) -> None:
    now = utcnow().replace(microsecond=0)
    ctx = Context(now)
    _territory(b, ctx)
    _users(b, ctx, v)
    _councils(b, ctx, v)
    _referrals(b, ctx, v)
    _consultations(b, ctx, v)
    _events(b, ctx, v)
    _grants(b, ctx, v)
    _surveys(b, ctx, v)
    _news(b, ctx, v)
    _notifications(b, ctx)
    b.flush()


class Context:
    def __init__(self, now):
        self.now = now
        self.start = now - timedelta(days=int(365.25 * 5.5))
        self.end = now + timedelta(days=182)
        self.users: list[int] = []
        self.names: dict[int, tuple[str, str]] = {}
        self.communes: list[int] = []
        self.themes: list[int] = []
        self.topics: list[tuple[int, int, str]] = []  # (consultation, topic, title)
        self.councils: dict[int, list[int]] = {}  # council -> its memberships
        self.groups: dict[int, int] = {}  # council -> a working group
        self.sittings: dict[int, list[int]] = {}  # council -> its sittings
        self.follows: list[tuple[int, int, int, str]] = []
        self.notices: list[tuple] = []


# Territory and accounts -----------------------------------------------------------


def _territory(b: Bulk, ctx: Context) -> None:
    communes = b.templates("communes")
    missing = COMMUNES - len(communes)
    population = INHABITANTS - sum(c["population"] or 0 for c in communes)
    shares = spread(max(population, 0), max(missing, 0), b.rnd)
    names = {c["name"] for c in communes}
    for i in range(max(missing, 0)):
        name = f"{b.rnd.choice(words.COMMUNE_PARTS)}{b.rnd.choice(words.COMMUNE_SUFFIXES)}"
        while name in names:
            name = f"{b.rnd.choice(words.COMMUNE_PARTS)}{b.rnd.choice(words.COMMUNE_SUFFIXES)}"
        names.add(name)
        b.new("communes", communes[-1], insee_code=str(37921 + i), name=name,
              postal_code=f"379{b.rnd.randint(1, 9)}0", population=shares[i])
    b.flush("communes")
    b.conn.execute(sa.update(table("territories")).values(population=INHABITANTS))
    ctx.communes = list(b.conn.scalars(sa.select(table("communes").c.id)))
    ctx.themes = list(b.conn.scalars(sa.select(table("themes").c.id)))
    b.say(f"{len(ctx.communes)} communes")


def _users(b: Bulk, ctx: Context, v: dict[str, int]) -> None:
    users = table("users")
    # One password hash for every account (hashing 20,000 passwords would take longer than the rest).
    resident = b.template("users", users.c.email == "habitante@demo.example")
    existing = b.templates("users")
    for row in existing:
        ctx.users.append(row["id"])
        ctx.names[row["id"]] = (row["display_name"], row["email"])
    for i in range(max(0, v["users"] - len(existing))):
        name = words.person(b.rnd)
        email = f"habitant{i + 1}@scale.example"
        created = b.moment(ctx.start, ctx.now)
        uid = b.new("users", resident, email=email, display_name=name, commune_id=b.rnd.choice(ctx.communes),
                    login_key=b.token(32, "0123456789abcdef"), created_at=created, confirmed_at=created,
                    last_login_at=None)
        b.event("user.created", "users", uid, uid, created)
        ctx.users.append(uid)
        ctx.names[uid] = (name, email)
    b.flush("users")
    b.say(f"{len(ctx.users)} comptes")


# Councils and referrals ---------------------------------------------------------------


def _councils(b: Bulk, ctx: Context, v: dict[str, int]) -> None:
    councils = table("councils")
    template = b.template("councils", councils.c.id == b.conn.scalar(sa.select(sa.func.min(councils.c.id))))
    colleges = b.templates("colleges", table("colleges").c.council_id == template["id"])
    member = b.template("memberships", table("memberships").c.state == "active", table("memberships").c.role == "member")
    sitting = b.template("sittings", table("sittings").c.kind == "plenary")
    items = b.templates("agenda_items", table("agenda_items").c.sitting_id == sitting["id"])
    group = b.template("working_groups")
    for row in b.templates("working_groups"):
        ctx.groups.setdefault(row["council_id"], row["id"])
    for row in b.templates("councils"):
        ctx.councils[row["id"]] = list(b.conn.scalars(sa.select(table("memberships").c.id).where(table("memberships").c.council_id == row["id"])))
    existing_members = sum(len(m) for m in ctx.councils.values())
    new_councils = max(1, v["councils"] - len(ctx.councils))
    member_counts = spread(max(0, v["memberships"] - existing_members), new_councils, b.rnd, skew=0.3)
    for i in range(new_councils):
        place = b.rnd.choice(words.PLACES)
        created = b.moment(ctx.start, ctx.start + timedelta(days=200))
        cid = b.new("councils", template, name=f"Conseil citoyen n° {i + 1} de {place}", slug=f"conseil-citoyen-{i + 1}",
                    neighbourhood_id=None, created_at=created, updated_at=created)
        b.event("council.created", "councils", cid, None, created)
        college_ids = [b.new("colleges", c, council_id=cid) for c in colleges]
        ctx.groups[cid] = b.new("working_groups", group, council_id=cid, lead_id=None, created_at=created, updated_at=created)
        ctx.councils[cid] = []
        for uid in b.rnd.sample(ctx.users, min(member_counts[i], len(ctx.users))):
            mid = b.new("memberships", member, council_id=cid, college_id=b.rnd.choice(college_ids) if college_ids else member["college_id"],
                        user_id=uid, name=ctx.names[uid][0], invited_email=None, invitation_hash=None, draw_pick_id=None,
                        created_at=created, updated_at=created)
            b.event("membership.joined", "memberships", mid, uid, created)
            ctx.councils[cid].append(mid)
    new_ids = [cid for cid in ctx.councils if cid > template["id"]]
    b.flush()
    sittings = b.conn.scalar(sa.select(sa.func.count()).select_from(table("sittings")))
    for n in range(max(0, v["sittings"] - sittings)):
        cid = new_ids[n % len(new_ids)]
        starts = b.moment(ctx.start, ctx.end).replace(minute=0, second=0)
        sid = b.new("sittings", sitting, council_id=cid, working_group_id=None, theme_id=b.rnd.choice(ctx.themes),
                    title=f"Séance plénière du {starts:%d/%m/%Y}", starts_at=starts, ends_at=starts + timedelta(hours=2),
                    convened_at=starts - timedelta(days=15), created_at=starts - timedelta(days=30), updated_at=starts - timedelta(days=15))
        b.event("sitting.published", "sittings", sid, None, starts - timedelta(days=15))
        for item in items:
            b.new("agenda_items", item, sitting_id=sid)
    b.flush()
    sittings_table = table("sittings")
    for sid, cid in b.conn.execute(sa.select(sittings_table.c.id, sittings_table.c.council_id)):
        ctx.sittings.setdefault(cid, []).append(sid)
    b.say(f"{len(ctx.councils)} conseils, {sum(len(m) for m in ctx.councils.values())} membres")


def _referrals(b: Bulk, ctx: Context, v: dict[str, int]) -> None:
    referrals = b.templates("referrals")
    opinions = {o["referral_id"]: o for o in b.templates("opinions")}
    versions = b.templates("opinion_versions")
    recommendations = b.templates("recommendations")
    votes = b.templates("opinion_votes")
    themes = b.templates("referral_themes")
    councils = [cid for cid, members in ctx.councils.items() if members and cid in ctx.groups and ctx.sittings.get(cid)]
    for n in range(max(0, v["referrals"] - len(referrals))):
        t = referrals[n % len(referrals)]
        cid = councils[n % len(councils)]
        received = b.moment(ctx.start, ctx.now - timedelta(days=60))
        rid = b.new("referrals", t, council_id=cid, subject=f"{t['subject']} ({n + 1})",
                    proposed_by_id=b.rnd.choice(ctx.councils[cid]) if t["proposed_by_id"] else None,
                    working_group_id=ctx.groups[cid] if t["working_group_id"] else None,
                    transmitted_at=received + timedelta(days=100) if t["transmitted_at"] else None,
                    answered_at=received + timedelta(days=140) if t["answered_at"] else None,
                    received_on=received.date(), due_on=(received + timedelta(days=90)).date(),
                    answer_due_on=(received + timedelta(days=150)).date() if t["answer_due_on"] else None,
                    created_at=received, updated_at=received)
        b.event("referral.received", "referrals", rid, None, received)
        for theme in themes:
            if theme["referral_id"] == t["id"]:
                b.add("referral_themes", {**theme, "referral_id": rid})
        opinion = opinions.get(t["id"])
        if opinion:
            oid = b.new("opinions", opinion, referral_id=rid, vote_item_id=None, created_at=received, updated_at=received)
            for version in versions:
                if version["opinion_id"] == opinion["id"]:
                    b.new("opinion_versions", version, opinion_id=oid)
            for vote in votes:
                if vote["opinion_id"] == opinion["id"]:
                    b.new("opinion_votes", vote, opinion_id=oid, sitting_id=b.rnd.choice(ctx.sittings[cid]), agenda_item_id=None,
                          voted_on=(received + timedelta(days=80)).date(), created_at=received + timedelta(days=80))
            for recommendation in recommendations:
                if recommendation["opinion_id"] == opinion["id"]:
                    b.new("recommendations", recommendation, opinion_id=oid)
    b.flush()
    b.say(f"{b.counts['referrals'] + len(referrals)} saisines")


# Consultations ----------------------------------------------------------------------------


def _consultations(b: Bulk, ctx: Context, v: dict[str, int]) -> None:
    consultations = table("consultations")
    open_one = b.template("consultations", consultations.c.state == "open", consultations.c.premoderated.is_(False))
    done = b.template("consultations", consultations.c.state == "synthesis_published")
    contribution = b.template("contributions")
    topic_row = b.template("topics")
    follow = b.template("topic_follows")
    count = max(2, v["consultations"] - len(b.templates("consultations")))
    # The first new one is the big one: open, with many topics, one of which has thousands of contributions.
    rest = max(0, v["contributions"] - v["big_consultation_topics"] - v["big_topic_contributions"])
    per = spread(rest, count - 1, b.rnd, skew=0.5)
    reactions_per = v["reactions"] / max(1, v["contributions"])
    for i in range(count):
        big = i == 0
        if big or b.rnd.random() < 0.1:
            template, opens = open_one, b.moment(ctx.now - timedelta(days=60), ctx.now - timedelta(days=1))
            closes = opens + timedelta(days=120)
        else:
            template, opens = done, b.moment(ctx.start, ctx.now - timedelta(days=120))
            closes = opens + timedelta(days=60)
        title = f"Concertation n° {i + 1} : {words.topic_title(b.rnd).lower()}"
        cid = b.new("consultations", template, title=title, opens_at=opens, closes_at=closes,
                    created_at=opens - timedelta(days=10), updated_at=opens,
                    synthesis_published_at=closes + timedelta(days=30) if template is done else None)
        b.event("consultation.created", "consultations", cid, template["created_by_id"], opens - timedelta(days=10), {"title": title})
        b.event("consultation.published", "consultations", cid, template["created_by_id"], opens - timedelta(days=5))
        b.add("consultation_themes", {"consultation_id": cid, "theme_id": b.rnd.choice(ctx.themes)})
        b.add("consultation_communes", {"consultation_id": cid, "commune_id": b.rnd.choice(ctx.communes)})
        last = min(closes, ctx.now)
        if big:
            plan = [v["big_topic_contributions"]] + [1] * (v["big_consultation_topics"] - 1)
        else:
            n = per[i - 1]
            topics = max(1, n // 30) if n else 0
            plan = spread(n, topics, b.rnd, skew=0.7) if topics else []
        accepted: set[int] = set()
        for size in plan:
            if size <= 0:
                continue
            author = b.rnd.choice(ctx.users)
            opened = b.moment(opens, last - timedelta(hours=1))
            title = words.topic_title(b.rnd)
            tid = b.ids("topics", 1)[0]
            topic = {**topic_row, "id": tid, "consultation_id": cid, "author_id": author, "title": title,
                     "theme_id": b.rnd.choice(ctx.themes), "created_at": opened, "last_activity_at": opened}
            b.add("topics", topic)
            generation = b.generation
            b.event("topic.opened", "topics", tid, author, opened, {"title": title})
            ctx.topics.append((cid, tid, title))
            top_level: list[tuple[int, int]] = []
            latest = opened
            for k in range(size):
                who = author if k == 0 else b.rnd.choice(ctx.users)
                when = opened if k == 0 else b.moment(opened, last)
                latest = max(latest, when)
                parent = None
                if k and top_level and b.rnd.random() < (0.2 if size > 1000 else 0.3):
                    parent, parent_author = b.rnd.choice(top_level)
                counts = {"agree_count": 0, "disagree_count": 0, "support_count": 0}
                reactions = min(len(ctx.users), int(b.rnd.uniform(0, 2 * reactions_per) + 0.5))
                contribution_id = b.ids("contributions", 1)[0]
                reacted = [(reactor, b.rnd.choices(("agree", "disagree", "support"), (5, 2, 3))[0])
                           for reactor in (b.rnd.sample(ctx.users, reactions) if reactions else ())]
                for _, kind in reacted:
                    counts[f"{kind}_count"] += 1
                b.new("contributions", contribution, id=contribution_id, consultation_id=cid, topic_id=tid, parent_id=parent,
                      author_id=who, body=words.paragraph(b.rnd), state="published", previous_state=None, created_at=when,
                      published_at=when, edited_at=None, report_count=0, **counts)
                for reactor, kind in reacted:
                    b.new("reactions", REACTION, contribution_id=contribution_id, user_id=reactor, kind=kind, created_at=when)
                b.event("contribution.posted", "contributions", contribution_id, who, when,
                        {"topic_id": tid, "parent_id": parent, "state": "published"} if parent else {"topic_id": tid, "state": "published"})
                if parent is None:
                    top_level.append((contribution_id, who))
                elif parent_author != who and b.rnd.random() < 0.5:
                    ctx.notices.append((parent_author, f"{ctx.names[who][0]} a répondu à votre contribution",
                                        f"/concertations/{cid}/sujets/{tid}#contribution-{contribution_id}",
                                        f"forums.answer:{contribution_id}", title, when))
                if who not in accepted:
                    accepted.add(who)
                    b.add("charter_acceptances", {"consultation_id": cid, "user_id": who, "accepted_at": when})
            topic["last_activity_at"] = latest
            if b.generation != generation:
                b.conn.execute(sa.update(table("topics")).where(table("topics").c.id == tid).values(last_activity_at=latest))
        if i % 20 == 0:
            b.say(f"concertation {i + 1}/{count}")
    b.flush()
    # Every account follows a topic, and has a notice of it waiting for tomorrow's digest.
    for uid in ctx.users:
        cid, tid, title = b.rnd.choice(ctx.topics)
        b.new("topic_follows", follow, topic_id=tid, user_id=uid, frequency="each", created_at=ctx.now - timedelta(days=3))
        ctx.follows.append((uid, cid, tid, title))
    b.flush()
    b.say(f"{b.counts['contributions']} contributions, {b.counts['reactions']} réactions")


REACTION = {"contribution_id": None, "user_id": None, "kind": "agree", "created_at": None}


# Events ------------------------------------------------------------------------------------


def _events(b: Bulk, ctx: Context, v: dict[str, int]) -> None:
    events = table("events")
    registrations = table("registrations")
    template = b.template("events", events.c.state == "published", events.c.capacity.is_(None))
    registration = b.template("registrations", registrations.c.state == "confirmed")
    existing = len(b.templates("events"))
    count = max(1, v["events"] - existing)
    per = spread(v["registrations"], count, b.rnd, skew=0.4)
    for i in range(count):
        starts = b.moment(ctx.start, ctx.end).replace(minute=b.rnd.choice((0, 30)), second=0)
        published = starts - timedelta(days=30)
        eid = b.new("events", template, title=f"{b.rnd.choice(('Atelier', 'Réunion publique', 'Balade urbaine', 'Forum'))} : "
                    f"{b.rnd.choice(words.SUBJECTS)} à {b.rnd.choice(words.PLACES)}",
                    starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=None,
                    registration_opens_at=None, registration_closes_at=None, published_at=published, reminder_days="7,1",
                    created_at=published - timedelta(days=5), updated_at=published)
        b.event("event.published", "events", eid, template["created_by_id"], published)
        b.add("event_themes", {"event_id": eid, "theme_id": b.rnd.choice(ctx.themes)})
        b.add("event_communes", {"event_id": eid, "commune_id": b.rnd.choice(ctx.communes)})
        past = starts < ctx.now
        for uid in b.rnd.sample(ctx.users, min(per[i], len(ctx.users))):
            when = b.moment(published, min(starts, ctx.now))
            name, email = ctx.names[uid]
            rid = b.new("registrations", registration, event_id=eid, user_id=uid, email=email, name=name, guests=0, answers={},
                        code=b.token(8, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", fmt=lambda s: f"{s[:4]}-{s[4:]}"), token_hash=b.digest(),
                        email_confirmed_at=when, attendance=b.rnd.choice(("present", "present", "absent")) if past else "unknown",
                        created_at=when, confirmed_at=when, hold_until=None, cancelled_at=None)
            b.event("registration.confirmed", "registrations", rid, uid, when)
    b.flush()
    b.say(f"{b.counts['events']} événements, {b.counts['registrations']} inscriptions")


# Grants ------------------------------------------------------------------------------------


def _grants(b: Bulk, ctx: Context, v: dict[str, int]) -> None:
    association = b.template("associations")
    representative = b.template("association_representatives")
    applications = b.templates("grant_applications")
    lines = b.templates("grant_budget_lines")
    count = max(1, v["associations"] - 1)
    members = []
    for i in range(count):
        created = b.moment(ctx.start, ctx.now)
        name = f"{b.rnd.choice(words.ASSOCIATION_KINDS)} de {b.rnd.choice(words.PLACES)} n° {i + 1}"
        aid = b.new("associations", association, name=name, rna=f"W37{i + 1:07d}", siret=f"8{i + 1:08d}00017",
                    email=f"contact{i + 1}@association.scale.example", created_at=created, updated_at=created)
        b.event("association.declared", "associations", aid, None, created)
        uid = b.rnd.choice(ctx.users)
        b.new("association_representatives", representative, association_id=aid, user_id=uid, created_at=created)
        members.append((aid, uid))
    b.flush()
    for n in range(max(0, v["grant_applications"] - len(applications))):
        t = applications[n % len(applications)]
        aid, uid = b.rnd.choice(members)
        created = b.moment(ctx.start, ctx.now - timedelta(days=10))
        app_id = b.new("grant_applications", t, association_id=aid, created_by_id=uid, project_title=f"{t['project_title']} ({n + 1})",
                       cer_signed_by_id=uid if t["cer_signed_by_id"] else None, convention_file_id=None,
                       created_at=created, updated_at=created)
        b.event("grant_application.created", "grant_applications", app_id, uid, created)
        for line in lines:
            if line["application_id"] == t["id"]:
                b.new("grant_budget_lines", line, application_id=app_id)
    b.flush()
    b.say(f"{b.counts['associations'] + 1} associations, {b.counts['grant_applications']} demandes")


# Questionnaires, news, notifications ---------------------------------------------------------


def _surveys(b: Bulk, ctx: Context, v: dict[str, int]) -> None:
    questionnaires = table("questionnaires")
    responses = table("questionnaire_responses")
    # The questionnaire whose results are public: its results page reads every response.
    qid, closed = b.conn.execute(sa.select(questionnaires.c.id, questionnaires.c.closed_at)
                                 .where(questionnaires.c.results_published_at.is_not(None)).order_by(questionnaires.c.id)).first()
    closed = closed or ctx.now
    templates = b.templates("questionnaire_responses", responses.c.questionnaire_id == qid, responses.c.submitted_at.is_not(None))
    answers: dict[int, list[dict]] = {}
    for answer in b.templates("questionnaire_answers", table("questionnaire_answers").c.response_id.in_([t["id"] for t in templates])):
        answers.setdefault(answer["response_id"], []).append(answer)
    for n in range(max(0, v["survey_responses"] - len(templates))):
        t = templates[n % len(templates)]
        when = b.moment(closed - timedelta(days=60), closed - timedelta(hours=1))
        rid = b.new("questionnaire_responses", t, code=f"S{n + 1:011d}", user_id=None, browser_key=None, invitation_id=None,
                    started_at=when - timedelta(minutes=7), submitted_at=when, commune_id=b.rnd.choice(ctx.communes))
        for answer in answers.get(t["id"], ()):
            b.new("questionnaire_answers", answer, response_id=rid)
    b.flush()
    b.say(f"{b.counts['questionnaire_responses']} réponses au questionnaire {qid}")


def _news(b: Bulk, ctx: Context, v: dict[str, int]) -> None:
    article = b.template("articles", table("articles").c.state == "published")
    subscriber = b.template("newsletter_subscribers", table("newsletter_subscribers").c.confirmed_at.is_not(None))
    for _ in range(max(0, v["articles"] - 4)):
        when = b.moment(ctx.start, ctx.now)
        aid = b.new("articles", article, title=f"{words.topic_title(b.rnd)} : où en est-on ?", summary=words.sentence(b.rnd),
                    body=words.paragraph(b.rnd), image_id=None, image_alt=None, publish_at=when, published_at=when,
                    consultation_id=None, event_id=None, referral_id=None, created_at=when, updated_at=when)
        b.event("article.published", "articles", aid, article["author_id"], when)
        b.add("article_themes", {"article_id": aid, "theme_id": b.rnd.choice(ctx.themes)})
        b.add("article_communes", {"article_id": aid, "commune_id": b.rnd.choice(ctx.communes)})
    for n in range(v["subscribers"]):
        when = b.moment(ctx.start, ctx.now)
        sid = b.new("newsletter_subscribers", subscriber, email=f"lecteur{n + 1}@scale.example", user_id=None, token_digest=b.digest(),
                    created_at=when, confirmed_at=when, consent_at=when, unsubscribed_at=None)
        b.event("newsletter.subscribed", "newsletter_subscribers", sid, None, when)
        b.add("newsletter_subscriber_communes", {"subscriber_id": sid, "commune_id": b.rnd.choice(ctx.communes)})
    b.flush()
    b.say(f"{b.counts['articles']} articles, {b.counts['newsletter_subscribers']} abonnés")


def _notifications(b: Bulk, ctx: Context) -> None:
    template = {"user_id": None, "event_id": None, "title": "", "body": None, "url": None, "dedup_key": None, "created_at": None,
                "read_at": None, "category": "consultations", "about": None, "digest": None}
    for user_id, title, url, key, about, when in ctx.notices:
        b.new("notifications", template, user_id=user_id, title=title[:200], url=url, dedup_key=key, about=about[:200],
              created_at=when, read_at=when + timedelta(days=1) if when < ctx.now - timedelta(days=30) else None)
    # A notice waiting for each account's daily digest (the digest job's work at scale).
    for user_id, cid, tid, title in ctx.follows:
        when = ctx.now - timedelta(hours=b.rnd.randint(2, 20))
        b.new("notifications", template, user_id=user_id, title=f"Nouvelle contribution au sujet « {title} »"[:200],
              url=f"/concertations/{cid}/sujets/{tid}", dedup_key=f"scale.digest:{tid}", about=title[:200], created_at=when,
              digest="daily")
    b.flush()
    b.say(f"{b.counts['notifications']} notifications, {b.counts['domain_events']} événements du journal")
