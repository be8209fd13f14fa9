"""The situation analysis's problems, linked to the measures that address them, with the
evidence the council's records offer; and the quarterly EST analysis."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from brott import clock
from brott.council_scope import council, load, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models.follow_up import Problem
from brott.places.forms import place_choices
from brott.policy import Permission
from brott.problems.forms import PeriodForm, ProblemForm, QuarterForm
from brott.services import indicators, measures, places, problems, scorecard
from brott.services.problems import Quarter
from brott.services.versions import seen_version

bp = Blueprint("problems", __name__, url_prefix="/r/<slug>")


@bp.route("/problem/")
@requires(Permission.VIEW_MEASURES)
def index():
    rows = problems.list_problems(viewer())
    measure_ids = sorted({m.id for p in rows for m in p.measures})
    return render_template(
        "problems/index.html",
        problems=rows,
        judged=scorecard.latest(viewer(), clock.today()),
        indicator_names=indicators.names_by_measure(viewer(), measure_ids),
    )


@bp.route("/problem/<int:problem_id>")
@requires(Permission.VIEW_MEASURES)
def show(problem_id: int):
    problem = load(Problem, problem_id)
    form = PeriodForm(request.args)
    found = None
    status = 400
    if form.validate():
        try:
            period = problems.evidence_period(
                problem, form.fran.data, form.till.data, clock.today()
            )
            found, status = problems.evidence(viewer(), problem.place, period), 200
            form.fran.data, form.till.data = period.start, period.end
        except DomainError as error:
            show_on_form(form, error)
    page = render_template(
        "problems/show.html",
        problem=problem,
        form=form,
        evidence=found,
        judged=scorecard.latest(viewer(), clock.today()),
    )
    return page, status


@bp.route("/problem/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_PROBLEMS)
def create():
    form = _form()
    if form.validate_on_submit():
        try:
            problem = problems.save(viewer(), None, _data(form))
            db.session.commit()
            flash(_("The problem is saved."), "success")
            return redirect(url_for("problems.show", problem_id=problem.id))
        except DomainError as error:
            show_on_form(form, error)
    status = 400 if request.method == "POST" else 200
    return render_template("problems/form.html", form=form, problem=None), status


@bp.route("/problem/<int:problem_id>/redigera", methods=["GET", "POST"])
@requires(Permission.MANAGE_PROBLEMS)
def edit(problem_id: int):
    problem = load(Problem, problem_id)
    form = _form(problem if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            problems.save(viewer(), problem, _data(form), seen_version(form.version.data))
            db.session.commit()
            flash(_("The problem is saved."), "success")
            return redirect(url_for("problems.show", problem_id=problem.id))
        except DomainError as error:
            show_on_form(form, error)
            status = 400
            if isinstance(error, ConflictError):  # the form shows what is saved now
                status = 409
                form.process(obj=problem)
                _fill(form, problem)
    elif request.method == "POST":
        status = 400
    return render_template("problems/form.html", form=form, problem=problem), status


@bp.route("/est/analys")
@requires(Permission.VIEW_MEETINGS)
def quarter():
    choices = Quarter.recent(clock.today())
    current = choices[0]
    form = QuarterForm(request.args)
    form.kvartal.choices = [SelectChoice(q.key, q.label) for q in choices]
    status = 200
    chosen = current
    if "kvartal" in request.args:
        try:
            chosen = Quarter.parse(request.args["kvartal"])
        except DomainError as error:
            form.kvartal.errors = [message for _field, message in error.field_errors]
            status = 400
    form.kvartal.data = chosen.key
    if chosen not in choices:
        form.kvartal.choices.append(SelectChoice(chosen.key, chosen.label))
    analysis = problems.quarter_analysis(viewer(), chosen, clock.now()) if status == 200 else None
    page = render_template(
        "problems/quarter.html", form=form, analysis=analysis, today=clock.today()
    )
    return page, status


def _form(problem: Problem | None = None) -> ProblemForm:
    form = ProblemForm(obj=problem)
    council_id = council().id
    form.place_id.choices = [
        SelectChoice("", _("No particular place")),
        *place_choices(places.places(council_id)),
    ]
    form.measure_ids.choices = [
        SelectChoice(m.id, f"{m.number}. {m.title}" if m.number else m.title)
        for m in measures.list_measures(viewer(), measures.MeasureFilters())
    ]
    if problem is not None:
        _fill(form, problem)
    return form


def _fill(form: ProblemForm, problem: Problem) -> None:
    """The fields the model does not fill by name."""
    form.place_id.data = str(problem.place_id) if problem.place_id else ""
    form.measure_ids.data = [m.id for m in problem.measures]
    form.version.data = str(problem.version)


def _data(form: ProblemForm) -> problems.ProblemData:
    return problems.ProblemData(
        title=form.title.data or "",
        description=form.description.data or "",
        place_id=int(form.place_id.data) if form.place_id.data else None,
        evidence_from=form.evidence_from.data,
        evidence_to=form.evidence_to.data,
        evidence=form.evidence.data or "",
        measure_ids=form.measure_ids.data or [],
    )
