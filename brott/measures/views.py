"""Measures of the council's citizen promise: list, page, update, create, edit."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from brott import clock
from brott.council_scope import council, load, require, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.measures.forms import ALL, FilterForm, MeasureForm, UpdateForm
from brott.models import Measure, MeasureStatus, MeasureTool
from brott.policy import Permission
from brott.services import indicators, measure_links, problems, scorecard
from brott.services import measures as service
from brott.services.versions import seen_version

bp = Blueprint("measures", __name__, url_prefix="/r/<slug>")


@bp.route("/")
@requires(Permission.VIEW_MEASURES)
def index():
    council_id = council().id
    form = FilterForm(request.args)
    form.owner.choices = [
        ALL,
        *(SelectChoice(str(u.id), u.name) for u in service.owner_candidates(council_id)),
    ]
    form.category.choices = [ALL, *map(SelectChoice, service.categories(council_id))]
    filters = filters_from(form) if form.validate() else service.MeasureFilters()
    measures = service.list_measures(viewer(), filters)
    return render_template("measures/list.html", measures=measures, form=form)


@bp.route("/insatser/<int:measure_id>")
@requires(Permission.VIEW_MEASURES)
def show(measure_id: int):
    measure = service.load_measure_page(viewer(), measure_id)
    links = measure_links.links_of(viewer(), measure)
    charts = indicators.charts_of(viewer(), measure.id, clock.today())
    return render_template(
        "measures/show.html",
        measure=measure,
        links=links,
        indicator_charts=charts,
        judgements=scorecard.history(viewer(), measure.id),
        problems=problems.of_measure(viewer(), measure.id),
    )


@bp.route("/insatser/<int:measure_id>/uppdatera", methods=["GET", "POST"])
@requires(Permission.UPDATE_MEASURE)
def update(measure_id: int):
    measure = load(Measure, measure_id)
    require(Permission.UPDATE_MEASURE, measure)
    form = UpdateForm(obj=measure if request.method == "GET" else None)
    if request.method == "GET":
        form.comment.data = ""
    # an indicator that drives the progress sets it; the form then only shows it
    driver = indicators.driver_of(measure.id)
    if driver is not None:
        del form["progress"]
    newer: list = []
    status = 200
    if form.validate_on_submit():
        try:
            service.record_update(
                measure,
                current_user,
                MeasureStatus(form.status.data),
                measure.progress if driver is not None else form.progress.data,
                form.comment.data,
                clock.now(),
                seen_version=seen_version(form.version.data),
            )
            db.session.commit()
            flash(_("The update is saved."), "success")
            return redirect(url_for("measures.show", measure_id=measure_id))
        except DomainError as error:
            newer = _handle_domain_error(form, error, measure)
            status = 409 if isinstance(error, ConflictError) else 200
    page = render_template(
        "measures/update.html", measure=measure, form=form, newer=newer, driver=driver
    )
    return page, status


@bp.route("/insatser/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def create():
    form = _measure_form()
    if form.validate_on_submit():
        try:
            measure = service.create_measure(
                council().id, current_user, _measure_data(form), clock.now()
            )
            db.session.commit()
            flash(_("The measure is created."), "success")
            return redirect(url_for("measures.show", measure_id=measure.id))
        except DomainError as error:
            _handle_domain_error(form, error)
    return render_template("measures/form.html", form=form, measure=None)


@bp.route("/insatser/<int:measure_id>/redigera", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def edit(measure_id: int):
    measure = load(Measure, measure_id)
    form = _measure_form(measure if request.method == "GET" else None)
    newer: list = []
    status = 200
    if form.validate_on_submit():
        try:
            service.edit_measure(
                measure,
                current_user,
                _measure_data(form),
                clock.now(),
                seen_version=seen_version(form.version.data),
                comment=form.comment.data or "",
            )
            db.session.commit()
            flash(_("The measure is saved."), "success")
            return redirect(url_for("measures.show", measure_id=measure_id))
        except DomainError as error:
            newer = _handle_domain_error(form, error, measure)
            status = 409 if isinstance(error, ConflictError) else 200
    page = render_template("measures/form.html", form=form, measure=measure, newer=newer)
    return page, status


def filters_from(form: FilterForm) -> service.MeasureFilters:
    return service.MeasureFilters(
        status=MeasureStatus(form.status.data) if form.status.data else None,
        owner_id=int(form.owner.data) if form.owner.data else None,
        category=form.category.data or None,
    )


def _measure_form(measure: Measure | None = None) -> MeasureForm:
    form = MeasureForm(obj=measure)
    council_id = council().id
    form.owner_ids.choices = [
        SelectChoice(u.id, u.name) for u in service.owner_candidates(council_id)
    ]
    form.partner_ids.choices = [
        SelectChoice(p.id, p.name) for p in service.partner_candidates(council_id)
    ]
    if measure is not None:
        form.owner_ids.data = [u.id for u in measure.owners]
        form.partner_ids.data = [p.id for p in measure.partners]
        form.tool.data = measure.tool.value if measure.tool else ""
        form.comment.data = ""
    return form


def _measure_data(form: MeasureForm) -> service.MeasureData:
    return service.MeasureData(
        title=form.title.data,
        description=form.description.data or "",
        category=form.category.data or "",
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        next_review_date=form.next_review_date.data,
        owner_ids=form.owner_ids.data or [],
        partner_ids=form.partner_ids.data or [],
        tool=MeasureTool(form.tool.data) if form.tool.data else None,
    )


def _handle_domain_error(form, error: DomainError, measure=None) -> list:
    """Show the error on the form; on a conflict, return the entries the user had not seen.

    The form then carries the current version: having seen those entries, the user may
    save again deliberately.
    """
    show_on_form(form, error)
    if isinstance(error, ConflictError) and measure is not None:
        form.version.data = str(measure.version)
        return service.updates_since(measure.id, error.seen_version)
    return []
