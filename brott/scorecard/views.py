"""The promise scorecard: every measure's latest judgement and the whole-promise summary,
judging a measure at a follow-up, and the council's follow-up settings."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from brott import clock
from brott.council_scope import council, load, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models import Measure
from brott.models.follow_up import Judgement
from brott.policy import Permission
from brott.scorecard.forms import FollowUpSettingsForm, JudgementForm
from brott.services import indicators, measures, scorecard
from brott.services.versions import seen_version

bp = Blueprint("scorecard", __name__, url_prefix="/r/<slug>")


@bp.route("/resultat")
@requires(Permission.VIEW_MEASURES)
def index():
    periods = scorecard.recent_periods(council(), clock.today(), count=6)
    chosen = next((p for p in periods if p.key == request.args.get("period")), None)
    judged = (
        scorecard.of_period(viewer(), chosen)
        if chosen
        else scorecard.latest(viewer(), clock.today())
    )
    rows = measures.list_measures(viewer(), measures.MeasureFilters())
    summary = scorecard.summarise([m.id for m in rows], judged)
    return render_template(
        "scorecard/index.html",
        rows=rows,
        judged=judged,
        summary=summary,
        periods=periods,
        chosen=chosen,
    )


@bp.route("/insatser/<int:measure_id>/bedomning", methods=["GET", "POST"])
@requires(Permission.JUDGE_MEASURES)
def judge(measure_id: int):
    measure = load(Measure, measure_id)
    periods = scorecard.recent_periods(council(), clock.today())
    current = {p.key: p for p in periods}
    existing = {a.period_start.isoformat(): a for a in scorecard.history(viewer(), measure.id)}
    form = JudgementForm()
    form.period.choices = [SelectChoice(p.key, p.label) for p in periods]
    form.indicator_ids.choices = [
        SelectChoice(i.id, i.name) for i in indicators.indicators_of(viewer(), measure.id)
    ]
    if request.method == "GET":
        shown = existing.get(periods[0].key)
        form.period.data = periods[0].key
        if shown is not None:
            form.judgement.data = shown.judgement.value
            form.justification.data = shown.justification
            form.indicator_ids.data = [i.id for i in shown.indicators]
            form.version.data = str(shown.version)
            form.version_period.data = periods[0].key
    status = 200
    replaced = None
    if form.validate_on_submit():
        try:
            scorecard.judge(
                viewer(),
                measure,
                current_user,
                scorecard.JudgementData(
                    period_start=current[form.period.data].start,
                    judgement=Judgement(form.judgement.data),
                    justification=form.justification.data or "",
                    indicator_ids=form.indicator_ids.data or [],
                ),
                clock.today(),
                clock.now(),
                seen_version=(
                    seen_version(form.version.data)
                    if form.version.data and form.version_period.data == form.period.data
                    else None
                ),
            )
            db.session.commit()
            flash(_("The judgement is saved."), "success")
            return redirect(url_for("measures.show", measure_id=measure.id, _anchor="resultat"))
        except DomainError as error:
            show_on_form(form, error)
            status = 400
            if isinstance(error, ConflictError):
                status = 409
                replaced = existing.get(form.period.data)
                form.version.data = str(replaced.version) if replaced else ""
                form.version_period.data = form.period.data
    elif request.method == "POST":
        status = 400
    page = render_template(
        "scorecard/judge.html", measure=measure, form=form, existing=existing, replaced=replaced
    )
    return page, status


@bp.route("/resultat/installningar", methods=["GET", "POST"])
@requires(Permission.JUDGE_MEASURES)
def settings():
    the_council = council()
    form = FollowUpSettingsForm(obj=the_council if request.method == "GET" else None)
    if request.method == "GET":
        form.follow_up_months.data = str(the_council.follow_up_months)
        form.version.data = str(the_council.version)
    status = 200
    if form.validate_on_submit():
        try:
            scorecard.set_follow_up(
                the_council,
                int(form.follow_up_months.data),
                form.public_contact.data or "",
                seen_version(form.version.data),
            )
            db.session.commit()
            flash(_("The settings are saved."), "success")
            return redirect(url_for("scorecard.index"))
        except DomainError as error:
            show_on_form(form, error)
            status = 409 if isinstance(error, ConflictError) else 400
            if isinstance(error, ConflictError):
                db.session.refresh(the_council)
                form.version.data = str(the_council.version)
    elif request.method == "POST":
        status = 400
    return render_template("scorecard/settings.html", form=form), status
