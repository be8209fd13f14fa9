"""The dashboard: where a member lands in a council, with the parts the policy lets them see."""

from flask import Blueprint, render_template

from brott import clock
from brott.council_scope import requires, viewer
from brott.policy import Permission
from brott.services import dashboard as service

bp = Blueprint("dashboard", __name__, url_prefix="/r/<slug>")


@bp.route("/oversikt")
@requires(Permission.VIEW_MEASURES)
def index():
    board = service.dashboard_for(viewer(), clock.now())
    return render_template("dashboard/index.html", board=board)
