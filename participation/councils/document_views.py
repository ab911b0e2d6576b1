"""Downloads of a sitting's official documents: the minutes (once approved) and the attendance sheet (staff)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.core.pdf import PDFUnavailable
from participation.core.permissions import can, require
from participation.core.web import get_or_404, render_error
from participation.councils import documents
from participation.councils.models import Minutes, MinutesState, Sitting
from participation.councils.staff_views import _sitting_admin, staff_bp
from participation.councils.views import _in, _published_council, bp
from participation.extensions import db


def _pdf(data: bytes, filename: str, *, private: bool = False) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    if private:
        headers["Cache-Control"] = "private, no-store"
    return Response(data, mimetype="application/pdf", headers=headers)


@bp.route("/<slug>/seances/<int:sitting_id>/proces-verbal.pdf")
def minutes_pdf(slug: str, sitting_id: int):
    """The minutes as PDF: for everyone once published, for members and staff once approved; never a draft."""
    council = _published_council(slug)
    sitting = _in(council, get_or_404(Sitting, sitting_id))
    private = can(current_user, "councils.view_private", council)
    if not sitting.is_public and not private:
        require(current_user, "councils.view_private", council)
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.sitting_id == sitting.id))
    if not documents.minutes_pdf_available(minutes):
        abort(404)
    if minutes.state != MinutesState.published and not private:
        require(current_user, "councils.view_private", council)
    try:
        data = documents.minutes_pdf(minutes)
    except PDFUnavailable:
        return render_error(503, _("Le PDF ne peut pas être produit pour le moment : lisez le compte rendu en ligne."))
    db.session.commit()
    return _pdf(data, f"proces-verbal-{council.slug}-{sitting.id}.pdf", private=minutes.state != MinutesState.published)


@staff_bp.route("/seances/<int:sitting_id>/emargement.pdf")
@login_required
def attendance_sheet(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    _sitting_admin(sitting)
    try:
        data = documents.attendance_sheet_pdf(sitting)
    except PDFUnavailable:
        return render_error(503, _("Le PDF ne peut pas être produit pour le moment."))
    db.session.commit()
    return _pdf(data, f"emargement-{sitting.council.slug}-{sitting.id}.pdf", private=True)


@staff_bp.route("/seances/<int:sitting_id>/convocation.pdf")
@login_required
def convocation_pdf(sitting_id: int):
    """The convocation as members receive it (without addressee), for staff to check or print."""
    sitting = get_or_404(Sitting, sitting_id)
    _sitting_admin(sitting)
    try:
        data = documents.convocation_pdf(sitting)
    except PDFUnavailable:
        return render_error(503, _("Le PDF ne peut pas être produit pour le moment."))
    db.session.commit()
    return _pdf(data, f"convocation-{sitting.council.slug}-{sitting.id}.pdf", private=True)
