"""Every event the code records has a French label declared by its domain, and every table it is about a noun."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import participation
from participation.core import eventlabels
from participation.core.workflow import Workflow

ROOT = Path(participation.__file__).parent


def _calls(tree, name):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if called == name:
                yield node


def recorded_names() -> set[str]:
    """The names passed to ``record()`` anywhere in the code, the workflows' events and the archived/unarchived helpers'."""
    names: set[str] = set()
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree, "record"):
            if not call.args:
                continue
            first = call.args[0]
            # Parts of an f-string are built from a thing's name: their callers are read below.
            formatted = {id(part) for node in ast.walk(first) if isinstance(node, ast.JoinedStr) for part in ast.walk(node)}
            for node in ast.walk(first):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in formatted:
                    names.add(node.value)
        # territory's _set_archived(item, archived, "<thing>", …) records "<thing>.archived" / "<thing>.unarchived".
        for call in _calls(tree, "_set_archived"):
            if len(call.args) >= 3 and isinstance(call.args[2], ast.Constant):
                names |= {f"{call.args[2].value}.archived", f"{call.args[2].value}.unarchived"}
    for module in pkgutil.walk_packages(participation.__path__, "participation."):
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if isinstance(value, Workflow):
                names |= {f"{value.thing}.{t.event}" for t in value.transitions.values()}
    return names


def test_the_scan_finds_the_events_it_should(app):
    names = recorded_names()
    # One of each way an event is recorded: a literal, a ternary, a workflow, a dynamic transition, a helper.
    assert {"user.role_granted", "department.created", "sitting.published", "recommendation.marked_retained",
            "theme.archived"} <= names


def test_every_recorded_event_has_a_label(app):
    missing = sorted(name for name in recorded_names() if name not in eventlabels.labelled_events())
    assert not missing, f"Événements sans libellé (déclarez-les dans participation/<domaine>/journal.py) : {missing}"


def test_every_table_an_event_is_about_has_a_noun(app):
    from participation.extensions import db

    # Tables that are subjects of events: every model whose workflow or service records about it.
    subject_tables = {"users", "outbox_mails", "communes", "themes", "departments", "neighbourhoods", "territories",
                      "councils", "sittings", "minutes", "memberships", "draws", "referrals", "opinions", "recommendations",
                      "activity_reports", "grant_applications", "grant_calls", "associations", "grant_financial_reports",
                      "consultations", "contributions", "topics", "events", "registrations"}
    assert subject_tables <= set(db.metadata.tables) | {"platform"}
    assert subject_tables <= set(eventlabels.subjects())


def test_labels_are_french_sentences_not_codes(app):
    for name, label in eventlabels.labelled_events().items():
        assert label[0].isupper() and "." not in label and "_" not in label, (name, label)
    assert eventlabels.subject_label("grant_applications", 2) == "demande de subvention n° 2"
    assert eventlabels.event_label("sitting.published") == "Séance publiée"
    assert eventlabels.event_label("nothing.known") == "Opération enregistrée"
