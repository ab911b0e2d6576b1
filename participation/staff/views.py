"""Back office pages under /gestion/."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from participation.core.permissions import require

bp = Blueprint("staff", __name__, url_prefix="/gestion")


@bp.route("/")
@login_required
def dashboard():
    require(current_user, "staff.access")
    return render_template("staff/dashboard.html")
