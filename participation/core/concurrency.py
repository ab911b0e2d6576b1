"""No silent lost update: a text saves against the revision it was based on.

A text that several people edit carries an integer revision (``RevisionMixin``
or a counter the model already has, such as an opinion's ``version_count``).
The edit form carries, hidden, the revision the person started from
(``BasedOnField``). Saving calls ``claim_revision(obj, based_on)``: a
conditional ``UPDATE … SET revision = revision + 1 WHERE id = :id AND revision
= :based_on``; when another save moved the revision on, no row matches and
``EditConflict`` is raised — two simultaneous saves cannot both win, whatever
the database. The view then renders the edit page with ``_conflict.html``
(status 409): the other person's text, the person's own text kept in the
form (now based on the new revision) and what differs between them.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import HiddenField

from participation.core.errors import DomainError


class RevisionMixin:
    """An integer that every save of the text moves on by one."""

    revision: Mapped[int] = mapped_column(default=0, server_default="0")


class EditConflict(DomainError):
    """The text was saved by someone else since the person started editing."""

    status_code = 409

    def __init__(self, *, current: int, theirs: str | None = None, field: str | None = None):
        super().__init__(_l("Quelqu'un a enregistré ce texte pendant que vous le modifiiez. Votre texte n'a pas été enregistré : "
                            "comparez les deux versions ci-dessous, reprenez ce qui doit l'être, puis enregistrez à nouveau."),
                         field=field)
        self.current = current
        self.theirs = theirs


def BasedOnField():  # noqa: N802 - a form field factory, named like the fields it builds
    """The hidden field carrying the revision the edit was based on."""
    return HiddenField()


def parse_based_on(value) -> int | None:
    """The revision a form was based on, or None when unreadable (a conflict, never an error)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 <= number < 2**31 else None


def claim_revision(obj, based_on, *, column: str = "revision", text_attr: str | tuple[str, ...] | None = None) -> int:
    """Move ``obj``'s revision on by one, if it is still ``based_on``; return the new revision.

    Otherwise raise ``EditConflict`` carrying the stored revision and, with
    ``text_attr``, the stored text (a dict of them when several attributes
    are named). A missing or unreadable ``based_on`` (an
    old form) is a conflict too: nothing is overwritten without the person
    having seen the current text.
    """
    from participation.extensions import db

    model = type(obj)
    col = getattr(model, column)
    based = parse_based_on(based_on)
    db.session.flush()
    result = None
    if based is not None:
        result = db.session.execute(
            sa.update(model).where(model.id == obj.id, col == based).values({column: col + 1})
            .execution_options(synchronize_session=False, people=()))  # a version number, nobody's own
    if result is None or result.rowcount != 1:
        db.session.refresh(obj)
        if isinstance(text_attr, tuple):
            theirs = {name: getattr(obj, name) for name in text_attr}
        else:
            theirs = getattr(obj, text_attr) if text_attr else None
        raise EditConflict(current=getattr(obj, column), theirs=theirs)
    set_committed_value(obj, column, based + 1)
    return based + 1


@dataclass
class ConflictPart:
    """One text of the conflict: the stored one, the person's, and what changed from the first to the second."""

    label: str
    theirs: str
    mine: str
    lines: list = field(default_factory=list)


@dataclass
class Conflict:
    """What ``templates/_conflict.html`` shows: one part per text of the form."""

    parts: list[ConflictPart]


def conflict_of(error: EditConflict, mine: dict[str, tuple[str, str]]) -> Conflict:
    """``mine``: for each text attribute, (its label, the person's text)."""
    stored = error.theirs if isinstance(error.theirs, dict) else {name: error.theirs for name in mine}
    parts = []
    for name, (label, text) in mine.items():
        theirs, text = stored.get(name) or "", text or ""
        parts.append(ConflictPart(label=label, theirs=theirs, mine=text, lines=diff_lines(theirs, text)))
    return Conflict(parts=parts)


@dataclass
class DiffLine:
    kind: str  # "same", "changed", "removed" (only in theirs), "added" (only in mine)
    html: Markup


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text (blank-line separated), as comments number them and diffs compare them."""
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]


def _words(old: str, new: str) -> Markup:
    a, b = old.split(), new.split()
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(html.escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return Markup(" ".join(parts))


def diff_lines(theirs: str, mine: str) -> list[DiffLine]:
    """Paragraph by paragraph; paragraphs changed one for one are compared word by word.

    Shared by the conflict page and the comparison of an opinion's versions."""
    a, b = paragraphs(theirs), paragraphs(mine)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", Markup(html.escape(p))) for p in a[i1:i2]]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for old_p, new_p in zip(a[i1:i1 + paired], b[j1:j1 + paired], strict=True):
            lines.append(DiffLine("changed", _words(old_p, new_p)))
        lines += [DiffLine("removed", Markup(f"<del>{html.escape(p)}</del>")) for p in a[i1 + paired:i2]]
        lines += [DiffLine("added", Markup(f"<ins>{html.escape(p)}</ins>")) for p in b[j1 + paired:j2]]
    return lines
