"""Downloads of the council's lists as CSV (for Swedish Excel) or .xlsx: one route per list,
each behind the permission of the page it comes from; the rows are chosen by the policy
in services/exports."""

from collections.abc import Callable

from flask import Blueprint, Response, abort

from brott import clock
from brott.council_scope import council, requires, viewer
from brott.extensions import db
from brott.policy import Permission, Viewer
from brott.services import exports
from brott.services.tables import KINDS, Table, download

bp = Blueprint("exports", __name__, url_prefix="/r/<slug>/export")


def _file(name: str, build: Callable[[Viewer], Table], kind: str) -> Response:
    if kind not in KINDS:
        abort(404)
    filename = f"{council().slug}-{name}-{clock.today().isoformat()}"
    table = build(viewer())
    db.session.commit()  # what the build logged (the police's download of notes)
    return download(table, filename, kind)


@bp.route("/insatser.<kind>")
@requires(Permission.VIEW_MEASURES)
def measures(kind: str):
    return _file("insatser", exports.measures, kind)


@bp.route("/insatslogg.<kind>")
@requires(Permission.VIEW_MEASURES)
def journal(kind: str):
    return _file("insatslogg", exports.journal, kind)


@bp.route("/atgarder.<kind>")
@requires(Permission.VIEW_MEETINGS)
def actions(kind: str):
    return _file("atgarder", exports.actions, kind)


@bp.route("/lagesbild.<kind>")
@requires(Permission.VIEW_NOTES)
def notes(kind: str):
    return _file("lagesbild", exports.notes, kind)


@bp.route("/rapporter.<kind>")
@requires(Permission.VIEW_REPORTS)
def reports(kind: str):
    return _file("rapporter", exports.reports, kind)
