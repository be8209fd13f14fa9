"""Situation notes: browse with counts, write, read, edit, delete."""

from datetime import datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from brott import clock
from brott.council_scope import council, load, require, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models import NoteSource, SituationNote, Visibility
from brott.notes.forms import (
    ALL,
    BareForm,
    NoteFilterForm,
    NoteForm,
    note_data,
    prepared_note_form,
    wall_clock,
)
from brott.places.forms import place_choices
from brott.policy import Permission
from brott.services import notes as service
from brott.services import places as place_service
from brott.services.versions import seen_version

bp = Blueprint("notes", __name__, url_prefix="/r/<slug>/lagesbild")

DEFAULT_PERIOD = timedelta(days=28)


@bp.route("/")
@requires(Permission.VIEW_NOTES)
def index():
    form = NoteFilterForm(request.args)
    council_id = council().id
    form.place.choices = [ALL, *place_choices(place_service.places(council_id, active_only=False))]
    form.category.choices = [
        ALL,
        *place_choices(place_service.categories(council_id, active_only=False)),
    ]
    if not form.start.raw_data and not form.end.raw_data:
        form.start.data = clock.today() - DEFAULT_PERIOD
    filters = _filters(form) if form.validate() else service.NoteFilters()
    counts = service.counts(viewer(), filters)
    return render_template(
        "notes/index.html",
        form=form,
        notes=service.list_notes(viewer(), filters),
        counts=counts,
        count_places=sorted({p for p, _ in counts}),
        count_categories=sorted({c for _, c in counts}),
    )


@bp.route("/ny", methods=["GET", "POST"])
@requires(Permission.WRITE_NOTES)
def create():
    form = _note_form()
    if form.validate_on_submit():
        try:
            note = service.create_note(viewer(), current_user, note_data(form), clock.now())
            db.session.commit()
            flash(_("The note is saved."), "success")
            return redirect(url_for("notes.show", note_id=note.id))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("notes/form.html", form=form, note=None)


@bp.route("/<int:note_id>")
@requires(Permission.VIEW_NOTES)
def show(note_id: int):
    note = service.load_note_page(viewer(), note_id, clock.now())
    db.session.commit()  # the audit entry of a read from outside the municipality
    return render_template("notes/show.html", note=note, delete_form=BareForm())


@bp.route("/<int:note_id>/redigera", methods=["GET", "POST"])
@requires(Permission.EDIT_NOTE)
def edit(note_id: int):
    note = load(SituationNote, note_id)
    require(Permission.EDIT_NOTE, note)
    form = _note_form(note if request.method == "GET" else None)
    conflict = False
    if form.validate_on_submit():
        try:
            service.update_note(
                viewer(), note, note_data(form), clock.now(), seen_version(form.version.data)
            )
            db.session.commit()
            flash(_("The note is saved."), "success")
            return redirect(url_for("notes.show", note_id=note.id))
        except DomainError as error:
            show_on_form(form, error)
            # having seen what is saved now, the user may save again deliberately
            conflict = isinstance(error, ConflictError)
            if conflict:
                note = load(SituationNote, note_id)  # 404 if it was deleted meanwhile
                form.version.data = str(note.version)
    page = render_template("notes/form.html", form=form, note=note, conflict=conflict)
    return page, 409 if conflict else 200


@bp.route("/<int:note_id>/ta-bort", methods=["GET", "POST"])
@requires(Permission.EDIT_NOTE)
def delete(note_id: int):
    note = load(SituationNote, note_id)
    require(Permission.EDIT_NOTE, note)
    if request.method == "GET":  # a reload of a refused form deletes nothing
        return redirect(url_for("notes.show", note_id=note_id))
    if BareForm().validate_on_submit():
        service.delete_note(note)
        db.session.commit()
        flash(_("The note is deleted."), "success")
    return redirect(url_for("notes.index"))


def _note_form(note: SituationNote | None = None) -> NoteForm:
    form = prepared_note_form(viewer(), note)
    if note is not None:
        form.observed_from.data = wall_clock(note.observed_from)
        form.observed_to.data = wall_clock(note.observed_to)
        form.measure_id.data = str(note.measure_id or "")
        form.version.data = str(note.version)
    return form


def _filters(form: NoteFilterForm) -> service.NoteFilters:
    def day_start(day):
        return datetime.combine(day, time(0), tzinfo=clock.STOCKHOLM) if day else None

    return service.NoteFilters(
        start=day_start(form.start.data),
        end=day_start(form.end.data + timedelta(days=1)) if form.end.data else None,
        place_id=int(form.place.data) if form.place.data else None,
        category_id=int(form.category.data) if form.category.data else None,
        source=NoteSource(form.source.data) if form.source.data else None,
        visibility=Visibility(form.visibility.data) if form.visibility.data else None,
    )
