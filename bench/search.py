"""Search at scale: 200,000 contributions bulk-inserted, then the French search timed.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py          # SQLite in a temporary folder

The database is emptied first, and again at the end. Prints, for a few queries,
the median time of the consultation's search page (count + first page) and of
the consultations list search, and on PostgreSQL the plan (which must name the
GIN index ``ix_contributions_search``).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from participation import create_app  # noqa: E402
from participation.extensions import db  # noqa: E402

CONTRIBUTIONS = int(os.environ.get("BENCH_CONTRIBUTIONS", 200_000))
PER_TOPIC = 20
WORDS = ("le quartier la place les habitants une piste cyclable la mairie des arbres le bus la gare un parc les enfants "
         "la rue le marché des bancs une fontaine le stationnement la sécurité les commerces le bruit la propreté").split()
RARE = ["vélo", "vélos", "école", "écoles", "Ecole", "médiathèque"]
QUERIES = ["vélo", "ecoles", "médiathèque", "stationnement sécurité", "piscine"]


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'search.sqlite'}"
    app = create_app({"INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "BASE_URL": "http://bench.local",
                      "RATELIMIT_ENABLED": False})
    from participation.accounts.models import User
    from participation.core.models import utcnow
    from participation.forums import reading
    from participation.forums.models import Consultation, Contribution, Topic

    random.seed(2027)
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = utcnow()
        author = User(email="auteur@bench.example", display_name="Auteur", state="active", login_key="k", locale="fr")
        db.session.add(author)
        consultation = Consultation(title="Mobilités du quotidien", question="Comment se déplacer ?", charter="Courtois.",
                                    opens_at=now, closes_at=now + timedelta(days=30), state="open")
        db.session.add(consultation)
        db.session.flush()
        topics = CONTRIBUTIONS // PER_TOPIC
        started = time.perf_counter()
        db.session.execute(sa.insert(Topic), [{"consultation_id": consultation.id, "author_id": author.id, "title": f"Sujet {i}",
                                               "created_at": now, "last_activity_at": now} for i in range(topics)])
        topic_ids = db.session.scalars(sa.select(Topic.id).order_by(Topic.id)).all()
        batch = []
        for i in range(CONTRIBUTIONS):
            words = random.choices(WORDS, k=25)
            if i % 200 == 0:  # one contribution in 200 names a rare word
                words[random.randrange(len(words))] = random.choice(RARE)
            batch.append({"consultation_id": consultation.id, "topic_id": topic_ids[i // PER_TOPIC], "author_id": author.id,
                          "body": " ".join(words).capitalize() + ".", "state": "published", "created_at": now, "published_at": now})
            if len(batch) == 10_000:
                db.session.execute(sa.insert(Contribution), batch)
                batch = []
        if batch:
            db.session.execute(sa.insert(Contribution), batch)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        print(f"{CONTRIBUTIONS} contributions en {time.perf_counter() - started:.1f} s ({db.engine.dialect.name})")

        for query in QUERIES:
            timings, found = [], 0
            for _ in range(7):
                begin = time.perf_counter()
                select = reading.search_contributions(consultation, query)
                found = db.session.scalar(sa.select(sa.func.count()).select_from(select.order_by(None).subquery()))
                db.session.scalars(select.limit(20)).all()
                timings.append(time.perf_counter() - begin)
            listing = []
            for _ in range(5):
                begin = time.perf_counter()
                db.session.execute(reading.public_consultations(query=query).limit(20)).all()
                listing.append(time.perf_counter() - begin)
            print(f"« {query} » : {found} trouvées ; page de résultats {statistics.median(timings) * 1000:.1f} ms, "
                  f"liste des concertations {statistics.median(listing) * 1000:.1f} ms (médianes)")
        if db.engine.dialect.name == "postgresql":
            select = reading.search_contributions(consultation, "vélo").limit(20)
            compiled = select.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
            plan = db.session.execute(sa.text(f"EXPLAIN ANALYZE {compiled}")).scalars().all()
            print("\n".join(plan))
        db.session.rollback()
        if not os.environ.get("BENCH_KEEP"):
            db.drop_all()


if __name__ == "__main__":
    main()
