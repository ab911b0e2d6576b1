from __future__ import annotations

from datetime import date, datetime, UTC

import pytest
from flask_babel import force_locale

from participation.core.dates import format_day, format_moment, format_time, iso
from participation.core.text import render_markdown


def test_markdown_is_rendered_and_sanitised():
    html = str(render_markdown("# Titre\n\nUn **avis** et [un lien](https://example.org).\n\n<script>alert(1)</script>\n\n[piège](javascript:alert(1))"))
    assert "<h2>Titre</h2>" in html and "<h1>" not in html
    assert "<strong>avis</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener noreferrer"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_raw_html_attributes_never_pass():
    html = str(render_markdown('<img src=x onerror="alert(1)"> <a href="https://x.example" onclick="steal()">x</a>'))
    assert "<img" not in html and "<a " not in html  # raw HTML is shown as text, never as tags


def test_empty_markdown():
    assert render_markdown(None) == "" and render_markdown("") == ""


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Winter (UTC+1) and summer (UTC+2) in Paris.
        (datetime(2026, 3, 3, 17, 30, tzinfo=UTC), "mardi 3 mars 2026 à 18 h 30"),
        (datetime(2026, 7, 14, 8, 0, tzinfo=UTC), "mardi 14 juillet 2026 à 10 h"),
        (datetime(2026, 12, 31, 23, 5, tzinfo=UTC), "vendredi 1er janvier 2027 à 0 h 05"),
    ],
)
def test_dates_are_shown_the_french_way_in_paris_time(app, moment, expected):
    with app.test_request_context("/"):
        assert format_moment(moment) == expected


def test_dates_in_english(app):
    with app.test_request_context("/"), force_locale("en"):
        assert format_moment(datetime(2026, 3, 3, 17, 30, tzinfo=UTC)) == "Tuesday 3 March 2026 at 6:30 pm"


def test_day_time_and_machine_form(app):
    with app.test_request_context("/"):
        moment = datetime(2026, 3, 3, 17, 30, tzinfo=UTC)
        assert format_day(date(2026, 3, 3)) == "mardi 3 mars 2026"
        assert format_time(moment) == "18 h 30"
        assert iso(moment) == "2026-03-03T18:30+01:00"
