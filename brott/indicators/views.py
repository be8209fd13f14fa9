"""Indicators of a measure: definitions, values, charts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound
from wtforms import SelectChoice

from brott import clock
from brott.council_scope import council, load, require, requires
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.indicators.forms import IndicatorForm, ValueForm
from brott.models import Measure
from brott.models.indicators import (
    Indicator,
    IndicatorDirection,
    IndicatorPeriod,
    IndicatorSource,
    IndicatorValue,
)
from brott.notes.forms import BareForm
from brott.policy import Permission
from brott.services import activity, charts
from brott.services import indicators as service
from brott.services.versions import seen_version

bp = Blueprint("indicators", __name__, url_prefix="/r/<slug>")
# numbers on every page (the measure's page shows the charts too) as the reader's language
bp.add_app_template_global(charts.number, "chart_number")


@bp.route("/insatser/<int:measure_id>/indikatorer/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def create(measure_id: int):
    measure = load(Measure, measure_id)
    form = _indicator_form()
    if form.validate_on_submit():
        try:
            indicator = service.create_indicator(measure, _data(form), clock.now())
            service.apply_progress(indicator, current_user, clock.now())
            db.session.commit()
            flash(_("The indicator is saved."), "success")
            return redirect(url_for("indicators.show", indicator_id=indicator.id))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("indicators/form.html", form=form, measure=measure, indicator=None)


@bp.route("/indikatorer/<int:indicator_id>")
@requires(Permission.VIEW_MEASURES)
def show(indicator_id: int):
    return _render_show(load(Indicator, indicator_id), ValueForm(data={"on_date": clock.today()}))


@bp.route("/indikatorer/<int:indicator_id>/varden", methods=["GET", "POST"])
@requires(Permission.UPDATE_MEASURE)
def add_value(indicator_id: int):
    indicator = load(Indicator, indicator_id)
    require(Permission.UPDATE_MEASURE, indicator.measure)
    if request.method == "GET":  # a reload of a refused form changes nothing
        return redirect(url_for("indicators.show", indicator_id=indicator_id))
    form = ValueForm()
    if form.validate_on_submit():
        try:
            service.add_value(
                indicator,
                current_user,
                form.on_date.data,
                form.value.data or 0.0,  # required by the form
                form.comment.data or "",
                clock.now(),
            )
            db.session.commit()
            flash(_("The value is saved."), "success")
            return redirect(url_for("indicators.show", indicator_id=indicator_id))
        except DomainError as error:
            show_on_form(form, error)
            indicator = load(Indicator, indicator_id)
    return _render_show(indicator, form)


@bp.route("/indikatorer/<int:indicator_id>/varden/<int:value_id>/ta-bort", methods=["GET", "POST"])
@requires(Permission.UPDATE_MEASURE)
def delete_value(indicator_id: int, value_id: int):
    value = load(IndicatorValue, value_id)
    if value.indicator_id != indicator_id:  # no such value under this indicator
        raise NotFound()
    require(Permission.UPDATE_MEASURE, value.indicator.measure)
    if request.method == "POST" and BareForm().validate_on_submit():
        service.delete_value(value, current_user, clock.now())
        db.session.commit()
        flash(_("The value is deleted."), "success")
    return redirect(url_for("indicators.show", indicator_id=indicator_id))


@bp.route("/indikatorer/<int:indicator_id>/redigera", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def edit(indicator_id: int):
    indicator = load(Indicator, indicator_id)
    form = _indicator_form(indicator if request.method == "GET" else None)
    conflict = False
    if form.validate_on_submit():
        try:
            service.update_indicator(
                indicator, _data(form), seen_version(form.version.data), current_user, clock.now()
            )
            db.session.commit()
            flash(_("The indicator is saved."), "success")
            return redirect(url_for("indicators.show", indicator_id=indicator_id))
        except DomainError as error:
            show_on_form(form, error)
            conflict = isinstance(error, ConflictError)
            indicator = load(Indicator, indicator_id)
            if conflict:  # having seen what is saved now, the user may save again
                form.version.data = str(indicator.version)
    page = render_template(
        "indicators/form.html",
        form=form,
        measure=indicator.measure,
        indicator=indicator,
        conflict=conflict,
    )
    return page, 409 if conflict else 200


@bp.route("/indikatorer/<int:indicator_id>/ta-bort", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def delete(indicator_id: int):
    indicator = load(Indicator, indicator_id)
    measure_id = indicator.measure_id
    if request.method == "GET":  # a reload of a refused form deletes nothing
        return redirect(url_for("indicators.show", indicator_id=indicator_id))
    if BareForm().validate_on_submit():
        service.delete_indicator(indicator)
        db.session.commit()
        flash(_("The indicator is deleted."), "success")
    return redirect(url_for("measures.show", measure_id=measure_id))


def _render_show(indicator: Indicator, form: ValueForm) -> str:
    return render_template(
        "indicators/show.html",
        indicator=indicator,
        measure=indicator.measure,
        chart=service.chart_of(indicator, clock.today()),
        form=form,
        delete_form=BareForm(),
    )


def _indicator_form(indicator: Indicator | None = None) -> IndicatorForm:
    form = IndicatorForm(obj=indicator)
    form.activity_kind_id.choices = [
        SelectChoice("", _("Every kind")),
        *(SelectChoice(str(k.id), k.name) for k in activity.kinds(council().id)),
    ]
    if indicator is not None:
        form.direction.data = indicator.direction.value
        form.period.data = indicator.period.value
        form.source.data = indicator.source.value
        form.activity_kind_id.data = str(indicator.activity_kind_id or "")
        form.version.data = str(indicator.version)
    return form


def _data(form: IndicatorForm) -> service.IndicatorData:
    return service.IndicatorData(
        name=form.name.data or "",
        unit=form.unit.data or "",
        baseline=form.baseline.data or 0.0,
        target=form.target.data if form.target.data is not None else 0.0,
        direction=IndicatorDirection(form.direction.data),
        period=IndicatorPeriod(form.period.data),
        source=IndicatorSource(form.source.data),
        activity_kind_id=int(form.activity_kind_id.data) if form.activity_kind_id.data else None,
        drives_progress=bool(form.drives_progress.data),
    )
