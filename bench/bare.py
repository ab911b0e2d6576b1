"""The ceiling: a bare Flask application rendering a compiled Jinja template comparable to a platform page, without a database.

    gunicorn -w 2 -b 127.0.0.1:8001 --chdir bench bare:app

The page has the platform's layout (header, navigation, footer, a list of 20
items with a title, a date, a summary and a few links each): about the size
and the template work of a list page. It is what ``bench/load.py`` divides
each platform page's throughput by.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))

START = datetime(2026, 12, 1, 18, 0)
ITEMS = [
    {
        "id": i,
        "title": f"Atelier n° {i} : la piste cyclable entre Villebrune et la gare de Loirande",
        "starts_at": START + timedelta(days=i, hours=i % 3),
        "place": "Salle des fêtes, 2 rue de la Mairie, 37920 Villebrune",
        "summary": "Les habitants sont invités à dessiner ensemble les itinéraires sécurisés du quotidien : école, travail, commerces. "
                   "Un temps d'échange suivi d'une balade sur le terrain.",
        "themes": ["Mobilités", "Transition écologique"],
        "count": 17 * i,
    }
    for i in range(1, 21)
]
NAVIGATION = [("Concertations", "/concertations/"), ("Agenda", "/agenda/"), ("Conseils", "/conseils/"), ("Saisines", "/saisines/"),
              ("Événements", "/evenements/"), ("Subventions", "/subventions/"), ("Plans", "/plans/"), ("Actualités", "/actualites/")]


@app.template_filter("day")
def day(value: datetime) -> str:
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
    return f"{value.day}{'er' if value.day == 1 else ''} {months[value.month - 1]} {value.year} à {value.hour} h {value.minute:02d}"


@app.route("/")
def index():
    return render_template("bare.html", items=ITEMS, navigation=NAVIGATION, title="Agenda de l'agglomération")


@app.route("/healthz")
def healthz():
    return "ok"
