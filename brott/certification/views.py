"""The robbery-prevention certification register: the list of businesses, a business with
its inspections and certificates, recording an inspection, approving a chain by sample, the
checklist, the settings, and import and export of the register."""

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from brott import clock
from brott.certification.forms import (
    ALL,
    BusinessForm,
    FilterForm,
    PointForm,
    SettingsForm,
    inspection_form,
    point_field,
)
from brott.council_scope import council, load, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.input_guard import is_id
from brott.models.certification import (
    STATUS_LABELS,
    Business,
    BusinessStatus,
    ChecklistPoint,
    Inspection,
    InspectionResult,
    Outcome,
)
from brott.notes.forms import BareForm
from brott.places.forms import place_choices
from brott.policy import Permission
from brott.services import certification as service
from brott.services import certification_inspections as inspection_service
from brott.services import places as place_service
from brott.services import register_import
from brott.services.versions import seen_version
from brott.uploads import accepts_uploads

bp = Blueprint("certification", __name__, url_prefix="/r/<slug>")


@bp.route("/certifiering/")
@requires(Permission.VIEW_REGISTER)
def index():
    council_id = council().id
    form = FilterForm(request.args)
    places = place_service.places(council_id, active_only=False)
    form.place.choices = [ALL, *place_choices(places)]
    ok = form.validate()
    register = service.register(
        council_id,
        clock.today(),
        status=BusinessStatus(form.status.data) if ok and form.status.data else None,
        place_id=int(form.place.data) if ok and form.place.data else None,
        search=(form.q.data or "") if ok else "",
    )
    return render_template(
        "certification/index.html", form=form, register=register, status_labels=STATUS_LABELS
    )


@bp.route("/certifiering/nytt", methods=["GET", "POST"])
@requires(Permission.MANAGE_REGISTER)
def new():
    form = _business_form()
    if form.validate_on_submit():
        try:
            business = service.add_business(council().id, _business_data(form))
            db.session.commit()
            flash(_("%(name)s is in the register.", name=business.name), "success")
            return redirect(url_for("certification.business", business_id=business.id))
        except DomainError as error:
            show_on_form(form, error)
    page = render_template("certification/business_form.html", form=form, business=None)
    return page, 400 if request.method == "POST" else 200


@bp.route("/certifiering/<int:business_id>")
@requires(Permission.VIEW_REGISTER)
def business(business_id: int):
    found = load(Business, business_id)
    inspections = inspection_service.inspections_of(found)
    return render_template(
        "certification/business.html",
        business=found,
        inspections=inspections,
        awaiting=inspection_service.awaiting_follow_up(inspections),
        certificates=inspection_service.certificates_of(found),
        chain=inspection_service.chain_members(found),
        bare_form=BareForm(),
        Outcome=Outcome,
    )


@bp.route("/certifiering/<int:business_id>/andra", methods=["GET", "POST"])
@requires(Permission.MANAGE_REGISTER)
def edit(business_id: int):
    found = load(Business, business_id)
    form = _business_form(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.place_id.data = str(found.place_id or "")
    conflict = False
    if form.validate_on_submit():
        try:
            service.update_business(found, _business_data(form), seen_version(form.version.data))
            db.session.commit()
            flash(_("The business is saved."), "success")
            return redirect(url_for("certification.business", business_id=found.id))
        except DomainError as error:
            show_on_form(form, error)
            conflict = isinstance(error, ConflictError)
            if conflict:
                form.version.data = str(found.version)
    page = render_template("certification/business_form.html", form=form, business=found)
    return page, 409 if conflict else 400 if request.method == "POST" else 200


@bp.route("/certifiering/<int:business_id>/besiktning", methods=["GET", "POST"])
@requires(Permission.INSPECT)
def inspect(business_id: int):
    found = load(Business, business_id)
    checklist = service.points(found.council_id)
    form = inspection_form(checklist)
    form.inspector_id.choices = [
        ("", _("Choose…")),
        *((str(u.id), u.name) for u in inspection_service.inspectors(found.council_id)),
    ]
    if request.method == "GET":
        _prefill(form, found, checklist)
    if form.validate_on_submit():
        try:
            inspection = inspection_service.record_inspection(
                found, _inspection_data(form, checklist), clock.today()
            )
            db.session.commit()
            if inspection.approved:
                flash(_("The business passed and is certified."), "success")
            else:
                flash(_("The inspection is recorded; points failed."), "warning")
            return redirect(url_for("certification.business", business_id=found.id))
        except DomainError as error:
            show_on_form(form, error)
    page = render_template(
        "certification/inspect.html",
        form=form,
        business=found,
        points=[(p, form[point_field(p)]) for p in checklist],
    )
    return page, 400 if request.method == "POST" else 200


@bp.route("/certifiering/besiktning/<int:inspection_id>/kedja", methods=["GET", "POST"])
@requires(Permission.INSPECT)
def approve_chain(inspection_id: int):
    inspection = load(Inspection, inspection_id)
    target = url_for("certification.business", business_id=inspection.business_id)
    if request.method == "GET" or not BareForm().validate_on_submit():
        return redirect(target)
    try:
        issued = inspection_service.approve_chain(inspection, clock.today())
        db.session.commit()
        flash(_("%(num)d shops of the chain are certified by sample.", num=len(issued)), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(target)


@bp.route("/certifiering/checklista", methods=["GET", "POST"])
@requires(Permission.MANAGE_REGISTER)
def checklist():
    council_id = council().id
    form = PointForm()
    if service.ensure_checklist(council_id):
        db.session.commit()
    if form.validate_on_submit():
        try:
            service.add_point(council_id, form.text.data or "")
            db.session.commit()
            flash(_("The point is added."), "success")
            return redirect(url_for("certification.checklist"))
        except DomainError as error:
            show_on_form(form, error)
    page = render_template(
        "certification/checklist.html",
        form=form,
        points=service.points(council_id, active_only=False),
        bare_form=BareForm(),
    )
    return page, 400 if request.method == "POST" else 200


@bp.route("/certifiering/checklista/<int:point_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REGISTER)
def edit_point(point_id: int):
    point = load(ChecklistPoint, point_id)
    form = PointForm(obj=point if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.rename_point(point, form.text.data or "", seen_version(form.version.data))
            db.session.commit()
            flash(_("The point is saved."), "success")
            return redirect(url_for("certification.checklist"))
        except DomainError as error:
            show_on_form(form, error)
            if isinstance(error, ConflictError):
                form.version.data = str(point.version)
    page = render_template("certification/point.html", form=form, point=point)
    return page, 400 if request.method == "POST" else 200


@bp.route("/certifiering/checklista/<int:point_id>/<change>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REGISTER)
def change_point(point_id: int, change: str):
    if change not in ("upp", "ned", "vaxla"):
        abort(404)
    point = load(ChecklistPoint, point_id)
    if request.method == "POST" and BareForm().validate_on_submit():
        if change == "vaxla":
            service.set_point_active(point, not point.active)
        else:
            service.move_point(point, -1 if change == "upp" else 1)
        db.session.commit()
    return redirect(url_for("certification.checklist"))


@bp.route("/certifiering/installningar", methods=["GET", "POST"])
@requires(Permission.MANAGE_REGISTER)
def settings():
    found = service.settings_of(council().id)
    db.session.commit()  # made with the defaults on first use
    form = SettingsForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            months = form.interval_months.data or 0
            service.update_settings(found, months, seen_version(form.version.data))
            db.session.commit()
            flash(_("The settings are saved."), "success")
            return redirect(url_for("certification.index"))
        except DomainError as error:
            show_on_form(form, error)
            if isinstance(error, ConflictError):
                form.version.data = str(found.version)
    page = render_template("certification/settings.html", form=form)
    return page, 400 if request.method == "POST" else 200


@bp.route("/certifiering/import", methods=["GET", "POST"])
@requires(Permission.MANAGE_REGISTER)
@accepts_uploads
def import_file():
    form, preview = BareForm(), None
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise DomainError(_("Choose a CSV or .xlsx file."), "file")
            preview = register_import.preview(
                council().id, _user_id(), upload.filename, upload.stream, _import_folder()
            )
        except DomainError as error:
            show_on_form(form, error)
    page = render_template("certification/import.html", form=form, preview=preview)
    return page, 400 if form.form_errors else 200


@bp.route("/certifiering/import/bekrafta", methods=["GET", "POST"])
@requires(Permission.MANAGE_REGISTER)
def confirm_import():
    form = BareForm()
    if request.method == "GET" or not form.validate_on_submit():
        return redirect(url_for("certification.import_file"))
    try:
        token = request.form.get("token", "")
        counts = register_import.confirm(council().id, _user_id(), token, _import_folder())
        db.session.commit()
    except DomainError as error:
        show_on_form(form, error)
        return render_template("certification/import.html", form=form, preview=None), 400
    flash(
        _(
            "Imported: %(created)d new, %(changed)d changed, %(unchanged)d unchanged.",
            created=counts["create"],
            changed=counts["change"],
            unchanged=counts["unchanged"],
        ),
        "success",
    )
    return redirect(url_for("certification.index"))


@bp.route("/certifiering/export.<kind>")
@requires(Permission.VIEW_REGISTER)
def export(kind: str):
    today = clock.today()
    name = f"certifieringsregister-{today.isoformat()}"
    if kind == "csv":
        body, mimetype = register_import.export_csv(council().id, today), "text/csv"
    elif kind == "xlsx":
        body = register_import.export_xlsx(council().id, today)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    disposition = f'attachment; filename="{name}.{kind}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _user_id() -> int:
    user_id = viewer().user_id
    if user_id is None:
        abort(403)
    return user_id


def _import_folder() -> Path:
    return register_import.import_folder()


def _business_form(**kwargs) -> BusinessForm:
    form = BusinessForm(**kwargs)
    places = place_service.places(council().id)
    form.place_id.choices = [("", _("No place")), *place_choices(places)]
    return form


def _business_data(form: BusinessForm) -> service.BusinessData:
    return service.BusinessData(
        name=form.name.data or "",
        orgnr=form.orgnr.data or "",
        unit=form.unit.data or "",
        address=form.address.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        phone=form.phone.data or "",
        industry=form.industry.data or "",
        place_id=int(form.place_id.data) if form.place_id.data else None,
        chain=form.chain.data or "",
        offer_sent_on=form.offer_sent_on.data,
    )


def _prefill(form, business: Business, checklist: list[ChecklistPoint]) -> None:
    """A follow-up starts from the results of the inspection it follows up."""
    form.inspected_on.data = clock.today()
    user_id = viewer().user_id
    if any(value == str(user_id) for value, _label in form.inspector_id.choices):
        form.inspector_id.data = str(user_id)
    follow_up = request.args.get("uppfoljning", type=int)
    if follow_up is None:
        return
    earlier = load(Inspection, follow_up)
    if earlier.business_id != business.id:
        abort(404)
    form.follow_up_of.data = str(earlier.id)
    outcomes = {
        r.point_id: r.outcome
        for r in db.session.scalars(
            db.select(InspectionResult).where(InspectionResult.inspection_id == earlier.id)
        )
    }
    for point in checklist:
        if point.id in outcomes:
            form[point_field(point)].data = outcomes[point.id].value


def _inspection_data(form, checklist: list[ChecklistPoint]) -> inspection_service.InspectionData:
    follow_up = form.follow_up_of.data
    return inspection_service.InspectionData(
        inspected_on=form.inspected_on.data,
        inspector_id=int(form.inspector_id.data) if form.inspector_id.data else 0,
        outcomes={p.id: Outcome(form[point_field(p)].data) for p in checklist},
        remarks=form.remarks.data or "",
        follow_up_of_id=int(follow_up) if follow_up and is_id(follow_up) else None,
    )
