"""A council's questionnaires, for its bureau: /conseils/<slug>/questionnaires.

The bureau builds, opens and publishes them with the back office's pages
(``staff_views.py``), which the policies open to it questionnaire by
questionnaire; this list is its way in, linked from « Mon espace » and from
the council's members' space (the template global ``council_questionnaires_url``:
the councils never import this domain).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, g, render_template, url_for
from flask_login import current_user, login_required

from participation.core.errors import PermissionDenied
from participation.core.permissions import can, require
from participation.core.web import forbidden_page, paginate_rows
from participation.councils.models import Council, CouncilState, MembershipState
from participation.extensions import db
from participation.surveys.models import Questionnaire, Response

council_bp = Blueprint("surveys_council", __name__, url_prefix="/conseils")
council_bp.register_error_handler(PermissionDenied, forbidden_page)


@council_bp.route("/<slug>/questionnaires")
@login_required
def index(slug: str):
    from participation.surveys.staff_views import _for_staff

    council = db.session.scalar(sa.select(Council).where(Council.slug == slug[:200]))
    if council is None or council.state == CouncilState.draft and not _for_staff():
        abort(404)
    require(current_user, "surveys.manage", council)
    answered = (sa.select(sa.func.count(Response.id))
                .where(Response.questionnaire_id == Questionnaire.id, Response.submitted_at.is_not(None)).scalar_subquery())
    page = paginate_rows(sa.select(Questionnaire, answered.label("answered"))
                         .where(Questionnaire.council_id == council.id)
                         .options(sa.orm.lazyload(Questionnaire.sections), sa.orm.lazyload(Questionnaire.questions),
                                  sa.orm.lazyload(Questionnaire.themes), sa.orm.lazyload(Questionnaire.previous_wave),
                                  sa.orm.lazyload(Questionnaire.consultation), sa.orm.lazyload(Questionnaire.referral),
                                  sa.orm.lazyload(Questionnaire.event), sa.orm.lazyload(Questionnaire.council))
                         .order_by(Questionnaire.id.desc()))
    layout = "staff/_layout.html" if _for_staff() else "surveys/bureau_layout.html"
    crumbs = [(council.name, url_for("councils.space", slug=council.slug))] if not _for_staff() else []
    return render_template("surveys/staff/index.html", page=page, council=council, surveys_layout=layout, crumbs=crumbs)


@council_bp.app_template_global()
def council_questionnaires_url(council, seat=None) -> str | None:
    """The address of the council's questionnaires if the person may manage them (its bureau), else ``None``.

    ``seat``, the person's membership already loaded (« Mon espace »), spares the query that finds it.
    """
    if council is None:
        return None
    if seat is not None and seat.user_id == getattr(current_user, "id", None) and seat.state == MembershipState.active:
        g.setdefault("council_seats", {})[(current_user.id, council.id)] = seat
    if not can(current_user, "surveys.manage", council):
        return None
    return url_for("surveys_council.index", slug=council.slug)
