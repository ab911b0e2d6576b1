"""Running the same save in several threads at once, each with its own session (tests marked ``committing``)."""

from __future__ import annotations

import threading

from participation.extensions import db


def race(app, save, n=2):
    """Run ``save`` in ``n`` threads at once (each its own session); return what each raised, or None."""
    start = threading.Barrier(n)
    sqlite = db.engine.dialect.name == "sqlite"
    outcomes: list = []

    def run():
        with app.app_context():
            try:
                if sqlite:  # a transaction takes the write lock when it starts: start together, then one after the other
                    start.wait(timeout=10)
                    save(start=None)
                else:
                    save(start=start)
                db.session.commit()
                outcomes.append(None)
            except BaseException as error:  # reported below
                db.session.rollback()
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
