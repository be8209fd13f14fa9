"""The council's places and note categories: list with their use, add, edit, take out of use."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from brott.council_scope import council, load, requires
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models import NoteCategory, Place
from brott.notes.forms import BareForm
from brott.places.forms import CategoryForm, PlaceForm
from brott.policy import Permission
from brott.services import places as service
from brott.services.versions import seen_version

bp = Blueprint("places", __name__, url_prefix="/r/<slug>/platser")


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.MANAGE_PLACES)
def index():
    place_form, category_form = PlaceForm(prefix="place"), CategoryForm(prefix="category")
    submitted = place_form if place_form.name.raw_data else category_form
    if request.method == "POST" and submitted.validate_on_submit():
        try:
            if submitted is place_form:
                service.add_place(council().id, _place_data(place_form))
            else:
                service.add_category(council().id, category_form.name.data or "")
            db.session.commit()
            flash(_("The list is updated."), "success")
            return redirect(url_for("places.index"))
        except DomainError as error:
            show_on_form(submitted, error)
    return _render_index(place_form, category_form), 400 if request.method == "POST" else 200


@bp.route("/<int:place_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_PLACES)
def edit(place_id: int):
    place = load(Place, place_id)
    # only a GET fills the form from the place: a POST without a version must not borrow one
    form = PlaceForm(obj=place if request.method == "GET" else None)
    conflict = False
    if form.validate_on_submit():
        try:
            service.update_place(place, _place_data(form), seen_version(form.version.data))
            db.session.commit()
            flash(_("The place is saved."), "success")
            return redirect(url_for("places.index"))
        except DomainError as error:
            show_on_form(form, error)
            # having seen what is saved now, the user may save again deliberately
            conflict = isinstance(error, ConflictError)
            if conflict:
                form.version.data = str(place.version)
    page = render_template("places/edit.html", place=place, form=form, conflict=conflict)
    return page, 409 if conflict else 200


@bp.route("/<kind>/<int:item_id>/vaxla", methods=["GET", "POST"])
@requires(Permission.MANAGE_PLACES)
def toggle(kind: str, item_id: int):
    models: dict[str, type[Place] | type[NoteCategory]] = {
        "plats": Place,
        "kategori": NoteCategory,
    }
    if kind not in models:
        abort(404)
    item = load(models[kind], item_id)
    if request.method == "GET":  # a reload of a refused form changes nothing
        return redirect(url_for("places.index"))
    if BareForm().validate_on_submit():
        service.set_active(item, not item.active)
        db.session.commit()
        if item.active:
            flash(_("%(name)s is now in use.", name=item.name), "success")
        else:
            flash(_("%(name)s is now out of use.", name=item.name), "success")
    return redirect(url_for("places.index"))


def _render_index(place_form: PlaceForm, category_form: CategoryForm) -> str:
    council_id = council().id
    return render_template(
        "places/index.html",
        place_form=place_form,
        category_form=category_form,
        toggle_form=BareForm(),
        places=service.places(council_id, active_only=False),
        usage=service.usage(council_id),
        categories=service.categories(council_id, active_only=False),
    )


def _place_data(form: PlaceForm) -> service.PlaceData:
    return service.PlaceData(
        name=form.name.data or "",
        area=form.area.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
    )
