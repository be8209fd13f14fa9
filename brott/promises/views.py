"""The council's citizen promises: the list of periods and starting a new one."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from brott import clock
from brott.council_scope import council, requires, viewer
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.policy import Permission
from brott.promises.forms import PromiseForm
from brott.services import promises as service

bp = Blueprint("promises", __name__, url_prefix="/r/<slug>/medborgarloften")


@bp.route("/")
@requires(Permission.VIEW_MEASURES)
def index():
    return render_template(
        "promises/index.html",
        promises=service.promises(viewer()),
        current=service.current(council().id, clock.today()),
    )


@bp.route("/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def create():
    today = clock.today()
    previous = service.current(council().id, today)
    form = PromiseForm(
        municipality=previous.municipality if previous else "",
        police_area=previous.police_area if previous else "",
    )
    candidates = service.carry_over_candidates(viewer(), today)
    form.carry_over.choices = [SelectChoice(m.id, m.title) for m in candidates]
    if form.validate_on_submit():
        try:
            promise = service.create_promise(
                viewer(), current_user, _data(form), form.carry_over.data or [], clock.now()
            )
            db.session.commit()
            flash(
                _(
                    "%(title)s is created, with %(count)d measures carried over.",
                    title=promise.title,
                    count=len(form.carry_over.data or []),
                ),
                "success",
            )
            return redirect(url_for("promises.index"))
        except DomainError as error:
            show_on_form(form, error)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("promises/form.html", form=form, previous=previous), status


@bp.app_template_global("period_ended")
def period_ended(measure) -> bool:
    """For measure pages and lists: the promise period is over and the measure unfinished."""
    return service.period_ended(measure, clock.today())


def _data(form: PromiseForm) -> service.PromiseData:
    return service.PromiseData(
        title=form.title.data or "",
        goal=form.goal.data or "",
        municipality=form.municipality.data or "",
        police_area=form.police_area.data or "",
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        signed_on=form.signed_on.data,
        chair_signatory=form.chair_signatory.data or "",
        police_signatory=form.police_signatory.data or "",
    )
