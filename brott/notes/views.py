"""Situation notes: browse with counts, write, read, edit, delete."""

from datetime import datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from brott import clock, policy
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.measures.forms import measure_choices
from brott.models import NoteSource, Role, SituationNote, Visibility
from brott.notes.forms import ALL, BareForm, NoteFilterForm, NoteForm
from brott.policy import Permission
from brott.services import audit
from brott.services import measures as measure_service
from brott.services import notes as service

bp = Blueprint("notes", __name__, url_prefix="/r/<slug>/lagesbild")

DEFAULT_PERIOD = timedelta(days=28)


@bp.route("/")
@login_required
def index(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.VIEW_NOTES)
    form = NoteFilterForm(request.args)
    form.place.choices = [
        ALL,
        *(
            SelectChoice(str(p.id), p.name)
            for p in service.places(membership.council_id, active_only=False)
        ),
    ]
    form.category.choices = [
        ALL,
        *(
            SelectChoice(str(c.id), c.name)
            for c in service.categories(membership.council_id, active_only=False)
        ),
    ]
    if not form.start.raw_data and not form.end.raw_data:
        form.start.data = clock.today() - DEFAULT_PERIOD
    filters = _filters(form) if form.validate() else service.NoteFilters()
    counts = service.counts(membership, filters)
    return render_template(
        "notes/index.html",
        membership=membership,
        form=form,
        notes=service.list_notes(membership, filters),
        counts=counts,
        count_places=sorted({p for p, _ in counts}),
        count_categories=sorted({c for _, c in counts}),
    )


@bp.route("/ny", methods=["GET", "POST"])
@login_required
def create(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.WRITE_NOTES)
    form = _note_form(membership)
    if form.validate_on_submit():
        try:
            note = service.create_note(membership, current_user, _data(form), clock.now())
            db.session.commit()
            flash("Anteckningen är sparad.", "success")
            return redirect(url_for("notes.show", slug=slug, note_id=note.id))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("notes/form.html", membership=membership, form=form, note=None)


@bp.route("/<int:note_id>")
@login_required
def show(slug: str, note_id: int):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.VIEW_NOTES)
    note = policy.get_note(
        membership,
        note_id,
        joinedload(SituationNote.place),
        joinedload(SituationNote.category),
        joinedload(SituationNote.author),
    )
    if membership.role is Role.POLICE:
        audit.record(
            "view",
            council_id=membership.council_id,
            object_type="note",
            object_id=note.id,
            summary="Polisen öppnade en delad anteckning.",
            session=db.session,
        )
        db.session.commit()
    return render_template(
        "notes/show.html", membership=membership, note=note, delete_form=BareForm()
    )


@bp.route("/<int:note_id>/redigera", methods=["GET", "POST"])
@login_required
def edit(slug: str, note_id: int):
    membership = policy.council_membership(current_user, slug)
    note = policy.get_note(membership, note_id)
    policy.require(membership, Permission.EDIT_NOTE, note)
    form = _note_form(membership, note if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.update_note(membership, note, _data(form), clock.now())
            db.session.commit()
            flash("Anteckningen är sparad.", "success")
            return redirect(url_for("notes.show", slug=slug, note_id=note.id))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("notes/form.html", membership=membership, form=form, note=note)


@bp.route("/<int:note_id>/ta-bort", methods=["POST"])
@login_required
def delete(slug: str, note_id: int):
    membership = policy.council_membership(current_user, slug)
    note = policy.get_note(membership, note_id)
    policy.require(membership, Permission.EDIT_NOTE, note)
    if BareForm().validate_on_submit():
        service.delete_note(note)
        db.session.commit()
        flash("Anteckningen är borttagen.", "success")
    return redirect(url_for("notes.index", slug=slug))


def _note_form(membership, note: SituationNote | None = None) -> NoteForm:
    form = NoteForm(obj=note)
    form.place_id.choices = [
        SelectChoice(p.id, p.name) for p in service.places(membership.council_id)
    ]
    form.category_id.choices = [
        SelectChoice(c.id, c.name) for c in service.categories(membership.council_id)
    ]
    form.measure_id.choices = measure_choices(measure_service.titles(membership))
    if not policy.can(membership, Permission.VIEW_INTERNAL_NOTES):
        form.visibility.choices = [c for c in form.visibility.choices if c.value == "shared"]
        if not form.is_submitted():
            form.visibility.data = "shared"
    if note is not None:
        form.observed_from.data = note.observed_from.astimezone(clock.STOCKHOLM).replace(
            tzinfo=None
        )
        if note.observed_to:
            form.observed_to.data = note.observed_to.astimezone(clock.STOCKHOLM).replace(
                tzinfo=None
            )
        form.measure_id.data = str(note.measure_id or "")
    return form


def _local(value: datetime | None) -> datetime | None:
    """A form's wall-clock value as an aware Stockholm time."""
    return value.replace(tzinfo=clock.STOCKHOLM) if value else None


def _wall_clock(value: datetime | None) -> datetime | None:
    """An aware value as the Stockholm wall-clock time a form shows."""
    return value.astimezone(clock.STOCKHOLM).replace(tzinfo=None) if value else None


def _data(form: NoteForm) -> service.NoteData:
    return service.NoteData(
        observed_from=_local(form.observed_from.data),
        observed_to=_local(form.observed_to.data),
        place_id=form.place_id.data,
        category_id=form.category_id.data,
        source=NoteSource(form.source.data),
        text=form.text.data or "",
        visibility=Visibility(form.visibility.data),
        measure_id=int(form.measure_id.data) if form.measure_id.data else None,
    )


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
