"""Activity logs of measures: the list with totals, new entries (with a photo), a situation
note made from an entry, and the council's list of kinds."""

from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from brott import clock
from brott.activity.forms import ALL, EntryFilterForm, EntryForm, KindForm
from brott.council_scope import council, load, require, requires, viewer
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.models import Measure, NoteSource, Visibility
from brott.models.activity import ActivityEntry, ActivityKind
from brott.notes.forms import BareForm, NoteForm, note_data, prepared_note_form
from brott.places.forms import NONE, place_choices
from brott.policy import Permission
from brott.services import activity as service
from brott.services import photos
from brott.services import places as place_service
from brott.uploads import accepts_uploads

bp = Blueprint("activity", __name__, url_prefix="/r/<slug>")


@bp.route("/insatser/<int:measure_id>/aktiviteter")
@requires(Permission.VIEW_MEASURES)
def index(measure_id: int):
    measure = _log_of(measure_id)
    form = EntryFilterForm(request.args)
    form.kind.choices = [
        ALL,
        *(SelectChoice(str(k.id), k.name) for k in service.kinds(council().id, False)),
    ]
    db.session.commit()  # a council's first visit stores its default kinds
    filters = _filters(form) if form.validate() else service.EntryFilters()
    page = form.page.data if not form.page.errors and form.page.data else 1
    found = service.list_entries(viewer(), measure, filters, page)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "activity/index.html",
        measure=measure,
        form=form,
        found=found,
        args=args,
        delete_form=BareForm(),
    )


@bp.route("/insatser/<int:measure_id>/aktiviteter/ny", methods=["GET", "POST"])
@requires(Permission.UPDATE_MEASURE)
@accepts_uploads
def create(measure_id: int):
    measure = _log_of(measure_id)
    require(Permission.UPDATE_MEASURE, measure)
    form = _entry_form()
    if form.validate_on_submit():
        try:
            service.add_entry(
                measure,
                current_user,
                _entry_data(form),
                request.files.get("photo"),
                clock.now(),
                clock.today(),
            )
            db.session.commit()
            flash(_("The entry is saved."), "success")
            return redirect(url_for("activity.index", measure_id=measure_id))
        except DomainError as error:
            show_on_form(form, error)
            form.photo_errors = error.errors.get("photo", [])
    return render_template("activity/form.html", form=form, measure=measure)


@bp.route("/aktiviteter/<int:entry_id>/foto")
@requires(Permission.VIEW_MEASURES)
def photo(entry_id: int):
    entry = load(ActivityEntry, entry_id)
    if entry.photo is None:
        abort(404)
    return photos.response(entry.photo)


@bp.route("/aktiviteter/<int:entry_id>/ta-bort", methods=["GET", "POST"])
@requires(Permission.UPDATE_MEASURE)
def delete(entry_id: int):
    entry = load(ActivityEntry, entry_id)
    require(Permission.UPDATE_MEASURE, entry.measure)
    measure_id = entry.measure_id
    if request.method == "POST" and BareForm().validate_on_submit():
        service.delete_entry(entry)
        db.session.commit()
        flash(_("The entry is deleted."), "success")
    return redirect(url_for("activity.index", measure_id=measure_id))


@bp.route("/aktiviteter/<int:entry_id>/lagesbild", methods=["GET", "POST"])
@requires(Permission.UPDATE_MEASURE)
def make_note(entry_id: int):
    entry = load(ActivityEntry, entry_id)
    require(Permission.UPDATE_MEASURE, entry.measure)
    require(Permission.WRITE_NOTES)
    if entry.note_id is not None:
        return redirect(url_for("notes.show", note_id=entry.note_id))
    form = _note_form(entry)
    if form.validate_on_submit():
        try:
            note = service.note_from_entry(
                viewer(), entry, current_user, note_data(form), clock.now()
            )
            db.session.commit()
            flash(_("The situation note is saved."), "success")
            return redirect(url_for("notes.show", note_id=note.id))
        except DomainError as error:
            show_on_form(form, error)
            entry = load(ActivityEntry, entry_id)
    return render_template("activity/note.html", form=form, entry=entry, measure=entry.measure)


@bp.route("/aktivitetstyper", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def kinds():
    form = KindForm()
    if form.validate_on_submit():
        try:
            service.add_kind(council().id, form.name.data or "")
            db.session.commit()
            flash(_("The list is updated."), "success")
            return redirect(url_for("activity.kinds"))
        except DomainError as error:
            show_on_form(form, error)
    kinds = service.kinds(council().id, active_only=False)
    db.session.commit()  # a council's first visit stores its default kinds
    return render_template("activity/kinds.html", form=form, kinds=kinds, toggle_form=BareForm())


@bp.route("/aktivitetstyper/<int:kind_id>/vaxla", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def toggle_kind(kind_id: int):
    kind = load(ActivityKind, kind_id)
    if request.method == "POST" and BareForm().validate_on_submit():
        service.set_kind_active(kind, not kind.active)
        db.session.commit()
        flash(_("The list is updated."), "success")
    return redirect(url_for("activity.kinds"))


def _log_of(measure_id: int) -> Measure:
    """The measure, when its working tool is the activity log; 404 otherwise."""
    measure = load(Measure, measure_id)
    if not service.uses_activity_log(measure):
        abort(404)
    return measure


def _entry_form() -> EntryForm:
    form = EntryForm()
    council_id = council().id
    form.kind_id.choices = [SelectChoice(k.id, k.name) for k in service.kinds(council_id)]
    form.place_id.choices = [
        SelectChoice(NONE, _("No particular place")),
        *place_choices(place_service.places(council_id)),
    ]
    if not form.is_submitted():
        form.on_date.data = clock.today()
    form.photo_errors = []
    return form


def _entry_data(form: EntryForm) -> service.EntryData:
    return service.EntryData(
        on_date=form.on_date.data,
        at_time=form.at_time.data,
        kind_id=form.kind_id.data,
        place_id=int(form.place_id.data) if form.place_id.data else None,
        people_reached=form.people_reached.data or 0,
        text=form.text.data or "",
    )


def _note_form(entry: ActivityEntry) -> NoteForm:
    """The note form, prefilled from the entry on first view."""
    form = prepared_note_form(viewer())
    if not form.is_submitted():
        form.observed_from.data = datetime.combine(entry.on_date, entry.at_time or time(12))
        form.place_id.data = entry.place_id
        form.text.data = entry.text
        form.source.data = NoteSource.SAFETY_HOST.value
        form.visibility.data = Visibility.INTERNAL.value
        form.measure_id.data = str(entry.measure_id)
    return form


def _filters(form: EntryFilterForm) -> service.EntryFilters:
    return service.EntryFilters(
        kind_id=int(form.kind.data) if form.kind.data else None,
        start=form.start.data,
        end=form.end.data,
    )
