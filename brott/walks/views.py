"""Safety walks, findings and action plans."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from brott import clock
from brott.council_scope import council, load, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.input_guard import is_id
from brott.models.walks import SafetyWalk, WalkFinding
from brott.policy import Permission
from brott.services import photos
from brott.services import walks as service
from brott.services.versions import seen_version
from brott.uploads import accepts_uploads
from brott.walks.forms import (
    AnswerForm,
    fill_walk_form,
    finding_data,
    finding_form,
    walk_data,
    walk_form,
)

bp = Blueprint("walks", __name__, url_prefix="/r/<slug>")


@bp.route("/trygghetsvandringar/")
@requires(Permission.VIEW_WALKS)
def index():
    return render_template("walks/index.html", rows=service.list_walks(viewer()))


@bp.route("/trygghetsvandringar/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_WALKS)
def create():
    form = walk_form(viewer())
    source = request.args.get("fran", "")
    if not form.is_submitted() and is_id(source):  # a re-walk planned from an old one
        fill_walk_form(form, service.rewalk_data(load(SafetyWalk, int(source))))
    if form.validate_on_submit():
        try:
            walk, warnings = service.create_walk(
                council().id, current_user, walk_data(form), clock.now()
            )
            db.session.commit()
            _flash_saved(_("The walk is saved."), warnings)
            return redirect(url_for("walks.show", walk_id=walk.id))
        except DomainError as error:
            show_on_form(form, error)
    status = 400 if form.is_submitted() else 200
    return render_template("walks/form.html", form=form, walk=None), status


@bp.route("/trygghetsvandringar/<int:walk_id>")
@requires(Permission.VIEW_WALKS)
def show(walk_id: int):
    walk = service.load_walk_page(viewer(), walk_id)
    return render_template(
        "walks/show.html",
        walk=walk,
        later=service.later_walks(walk),
        answer_form=AnswerForm(),
        fixed=service.fixed,
        today=clock.today(),
    )


@bp.route("/trygghetsvandringar/<int:walk_id>/redigera", methods=["GET", "POST"])
@requires(Permission.MANAGE_WALKS)
def edit(walk_id: int):
    walk = load(SafetyWalk, walk_id)
    # only a GET fills the form from the walk: a POST without a version must not borrow one
    form = walk_form(viewer(), obj=walk if request.method == "GET" else None)
    if request.method == "GET":
        form.place_id.data = str(walk.place_id or "")
        form.measure_id.data = str(walk.measure_id or "")
        form.participant_ids.data = [u.id for u in walk.participants]
        form.partner_ids.data = [p.id for p in walk.partners]
    conflict = False
    if form.validate_on_submit():
        try:
            warnings = service.update_walk(
                walk, walk_data(form), seen_version(form.version.data), clock.now()
            )
            db.session.commit()
            _flash_saved(_("The walk is saved."), warnings)
            return redirect(url_for("walks.show", walk_id=walk.id))
        except DomainError as error:
            show_on_form(form, error)
            conflict = isinstance(error, ConflictError)
            if conflict:  # having seen what is saved now, the user may save again
                form.version.data = str(walk.version)
    status = 409 if conflict else 400 if form.is_submitted() else 200
    page = render_template("walks/form.html", form=form, walk=walk, conflict=conflict)
    return page, status


@bp.route("/trygghetsvandringar/<int:walk_id>/fynd/ny", methods=["GET", "POST"])
@accepts_uploads
@requires(Permission.MANAGE_WALKS)
def add_finding(walk_id: int):
    walk = load(SafetyWalk, walk_id)
    form = finding_form(viewer(), current_user.id)
    photo_errors: list[str] = []
    if form.validate_on_submit():
        try:
            service.add_finding(
                walk,
                current_user,
                finding_data(form),
                clock.now(),
                clock.today(),
                request.files.get("photo"),
            )
            db.session.commit()
            flash(_("The finding and its action are saved."), "success")
            return redirect(url_for("walks.show", walk_id=walk.id))
        except DomainError as error:
            photo_errors = error.errors.get("photo", [])
            show_on_form(form, error)
    status = 400 if form.is_submitted() else 200
    page = render_template("walks/finding.html", form=form, walk=walk, photo_errors=photo_errors)
    return page, status


@bp.route("/trygghetsvandringar/fynd/<int:finding_id>/svar", methods=["GET", "POST"])
@requires(Permission.MANAGE_WALKS)
def answer(finding_id: int):
    finding = load(WalkFinding, finding_id)
    if request.method == "GET":  # a reload of a refused form: back to the walk
        return redirect(url_for("walks.show", walk_id=finding.walk_id))
    form = AnswerForm()
    status = 400
    if form.validate_on_submit():
        try:
            seen = form.seen_answer()
            service.answer_finding(finding, form.answer.data or "", current_user, clock.now(), seen)
            db.session.commit()
            flash(_("The answer is saved."), "success")
            return redirect(url_for("walks.show", walk_id=finding.walk_id, _anchor="fynd"))
        except DomainError as error:
            show_on_form(form, error)
            if isinstance(error, ConflictError):  # having read theirs, the user may save again
                finding = load(WalkFinding, finding_id)
                form.seen.data = form.seen_value(finding.answered_at)
                status = 409
    page = render_template("walks/answer.html", form=form, finding=finding)
    return page, status


@bp.route("/trygghetsvandringar/fynd/<int:finding_id>/foto")
@requires(Permission.VIEW_WALKS)
def photo(finding_id: int):
    finding = load(WalkFinding, finding_id)
    if finding.photo is None:
        abort(404)
    return photos.response(finding.photo)


@bp.route("/trygghetsvandringar/<int:walk_id>/handlingsplan")
@requires(Permission.VIEW_WALKS)
def plan(walk_id: int):
    walk = service.load_walk_page(viewer(), walk_id)
    return render_template("walks/plan.html", walk=walk, today=clock.today())


def _flash_saved(message: str, warnings: list[str]) -> None:
    flash(message, "success")
    for warning in warnings:
        flash(warning, "info")
