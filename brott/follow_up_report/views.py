"""The follow-up report for the council or the municipal board: a page to read and print,
and the same report as a PDF to download."""

from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MultiDict

from brott import clock
from brott.council_scope import council, requires, viewer
from brott.follow_up_report.forms import PeriodForm
from brott.policy import Permission
from brott.services import follow_up_pdf
from brott.services import follow_up_report as service

bp = Blueprint("follow_up_report", __name__, url_prefix="/r/<slug>")


def _period_form() -> PeriodForm:
    """The period asked for; without one, the council's current follow-up period."""
    if "fran" in request.args or "till" in request.args:
        return PeriodForm(request.args)
    period = service.default_period(council(), clock.today())
    return PeriodForm(MultiDict({"fran": period.start.isoformat(), "till": period.end.isoformat()}))


@bp.route("/uppfoljning")
@requires(Permission.VIEW_MEASURES)
def show():
    form = _period_form()
    if not form.validate():
        return render_template("follow_up_report/show.html", form=form, report=None), 400
    report = service.build_report(viewer(), form.period, clock.today())
    return render_template("follow_up_report/show.html", form=form, report=report)


@bp.route("/uppfoljning.pdf")
@requires(Permission.VIEW_MEASURES)
def pdf():
    form = _period_form()
    if not form.validate():  # the page with the form and its messages, to correct the period
        return render_template("follow_up_report/show.html", form=form, report=None), 400
    period = form.period
    report = service.build_report(viewer(), period, clock.today())
    name = f"{council().slug}-uppfoljning-{period.start.isoformat()}-{period.end.isoformat()}"
    return Response(
        follow_up_pdf.render(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
