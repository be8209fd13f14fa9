"""Camera sites and guard deployments: the list with counts by stage, a site's decision
path, balancing of interests and need assessment, the register of camera surveillance
(with its CSV export), and the guards."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from brott import clock
from brott.cameras.forms import BalancingForm, GuardForm, PeriodForm, SiteForm, StageForm
from brott.council_scope import council, load, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models.cameras import STAGE_LABELS, CameraSite, CameraStage, GuardDeployment
from brott.policy import Permission
from brott.services import camera_need, camera_register
from brott.services import cameras as service
from brott.services import places as place_service
from brott.services.versions import seen_version

bp = Blueprint("cameras", __name__, url_prefix="/r/<slug>")


@bp.route("/kameror/")
@requires(Permission.VIEW_CAMERAS)
def index():
    return render_template(
        "cameras/index.html",
        sites=service.list_sites(viewer()),
        counts=service.stage_counts(viewer()),
        deployments=service.list_guard_deployments(viewer()),
        labels=STAGE_LABELS,
    )


@bp.route("/kameror/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_CAMERAS)
def create():
    form = _site_form()
    if form.validate_on_submit():
        try:
            site = service.create_site(viewer(), _site_data(form), current_user, clock.today())
            db.session.commit()
            flash(_("The camera site is saved."), "success")
            return redirect(url_for("cameras.show", site_id=site.id))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("cameras/site_form.html", form=form, site=None)


@bp.route("/kameror/<int:site_id>")
@requires(Permission.VIEW_CAMERAS)
def show(site_id: int):
    site = service.load_site_page(viewer(), site_id)
    return render_template("cameras/show.html", site=site, next_stages=service.next_stages(site))


@bp.route("/kameror/<int:site_id>/redigera", methods=["GET", "POST"])
@requires(Permission.MANAGE_CAMERAS)
def edit(site_id: int):
    site = load(CameraSite, site_id)
    form = _site_form(site if request.method == "GET" else None)
    conflict = False
    if form.validate_on_submit():
        try:
            service.update_site(viewer(), site, _site_data(form), seen_version(form.version.data))
            db.session.commit()
            flash(_("The camera site is saved."), "success")
            return redirect(url_for("cameras.show", site_id=site.id))
        except DomainError as error:
            conflict = _show_error(form, error, CameraSite, site_id)
    page = render_template("cameras/site_form.html", form=form, site=site, conflict=conflict)
    return page, 409 if conflict else 200


@bp.route("/kameror/<int:site_id>/steg", methods=["GET", "POST"])
@requires(Permission.MANAGE_CAMERAS)
def move(site_id: int):
    site = service.load_site_page(viewer(), site_id)
    form = _stage_form(site)
    conflict = False
    if form.validate_on_submit():
        try:
            stage, seen = CameraStage(form.stage.data), seen_version(form.version.data)
            on, text = form.happened_on.data, form.text.data or ""
            service.move_site(site, stage, on, text, current_user, clock.today(), seen)
            db.session.commit()
            flash(_("The site is now %(stage)s.", stage=site.stage_label.lower()), "success")
            return redirect(url_for("cameras.show", site_id=site.id))
        except DomainError as error:
            conflict = _show_error(form, error, CameraSite, site_id)
            site = service.load_site_page(viewer(), site_id)
    page = render_template("cameras/move.html", form=form, site=site, conflict=conflict)
    return page, 409 if conflict else 200


@bp.route("/kameror/<int:site_id>/intresseavvagning", methods=["GET", "POST"])
@requires(Permission.MANAGE_CAMERAS)
def balance(site_id: int):
    site = service.load_site_page(viewer(), site_id)
    latest = site.balancings[-1] if site.balancings else None
    form = BalancingForm(obj=latest if request.method == "GET" else None)
    if request.method == "GET":
        form.written_on.data = clock.today()
    if form.validate_on_submit():
        try:
            service.add_balancing(site, _balancing_data(form), current_user, clock.today())
            db.session.commit()
            flash(_("The balancing of interests is saved."), "success")
            return redirect(url_for("cameras.show", site_id=site.id))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("cameras/balancing_form.html", form=form, site=site)


@bp.route("/kameror/<int:site_id>/intresseavvagning/<int:balancing_id>")
@requires(Permission.VIEW_CAMERAS)
def balancing(site_id: int, balancing_id: int):
    site = load(CameraSite, site_id)
    found = service.load_balancing(viewer(), site, balancing_id)
    return render_template("cameras/balancing.html", site=site, balancing=found)


@bp.route("/kameror/<int:site_id>/behov")
@requires(Permission.VIEW_CAMERAS)
def need(site_id: int):
    site = service.load_site_page(viewer(), site_id)
    form = PeriodForm(request.args)
    start, end = camera_need.default_period(clock.today())
    radius = camera_need.DEFAULT_RADIUS_M
    if form.validate():
        start, end = form.start.data or start, form.end.data or end
        radius = radius if form.radius.data is None else form.radius.data
    if end < start:
        form.end.errors = [_("The period cannot end before it starts.")]
        start, end = camera_need.default_period(clock.today())
    assessment = camera_need.need_assessment(viewer(), site, start, end, radius)
    return render_template("cameras/need.html", site=site, form=form, need=assessment)


@bp.route("/kameror/register")
@requires(Permission.VIEW_CAMERAS)
def register():
    sites = camera_register.register(viewer(), clock.today())
    return render_template("cameras/register.html", sites=sites)


@bp.route("/kameror/register.csv")
@requires(Permission.VIEW_CAMERAS)
def register_csv():
    body = camera_register.register_csv(camera_register.register(viewer(), clock.today()))
    name = f"kamerabevakning-{council().slug}-{clock.today():%Y-%m-%d}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/kameror/vakter/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_CAMERAS)
def guards_create():
    form = _guard_form()
    if form.validate_on_submit():
        try:
            service.create_guard_deployment(viewer(), _guard_data(form))
            db.session.commit()
            flash(_("The guard deployment is saved."), "success")
            return redirect(url_for("cameras.index"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("cameras/guard_form.html", form=form, deployment=None)


@bp.route("/kameror/vakter/<int:deployment_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_CAMERAS)
def guards_edit(deployment_id: int):
    deployment = load(GuardDeployment, deployment_id)
    form = _guard_form(deployment if request.method == "GET" else None)
    conflict = False
    if form.validate_on_submit():
        try:
            data, seen = _guard_data(form), seen_version(form.version.data)
            service.update_guard_deployment(viewer(), deployment, data, seen)
            db.session.commit()
            flash(_("The guard deployment is saved."), "success")
            return redirect(url_for("cameras.index"))
        except DomainError as error:
            conflict = _show_error(form, error, GuardDeployment, deployment_id)
    page = render_template(
        "cameras/guard_form.html", form=form, deployment=deployment, conflict=conflict
    )
    return page, 409 if conflict else 200


def _show_error(form, error: DomainError, model: type, object_id: int) -> bool:
    """Show the error; on a conflict, let the user save again over what is saved now."""
    show_on_form(form, error)
    if not isinstance(error, ConflictError):
        return False
    form.version.data = str(load(model, object_id).version)  # 404 if deleted meanwhile
    return True


def _site_form(site: CameraSite | None = None) -> SiteForm:
    form = SiteForm(obj=site)
    form.place_id.choices = [SelectChoice(p.id, p.name) for p in place_service.places(council().id)]
    if site is not None:
        form.version.data = str(site.version)
    return form


def _site_data(form: SiteForm) -> service.SiteData:
    return service.SiteData(
        place_id=form.place_id.data,
        title=form.title.data or "",
        operator=form.operator.data or "",
        permit_needed=bool(form.permit_needed.data),
        permit_case_number=form.permit_case_number.data or "",
        permit_date=form.permit_date.data,
        camera_count=form.camera_count.data,
        coverage=form.coverage.data or "",
        recording_hours=form.recording_hours.data or "",
        storage_days=form.storage_days.data,
    )


def _stage_form(site: CameraSite) -> StageForm:
    form = StageForm()
    form.stage.choices = [SelectChoice(s.value, STAGE_LABELS[s]) for s in service.next_stages(site)]
    if not form.is_submitted():
        form.happened_on.data = clock.today()
        form.version.data = str(site.version)
    return form


def _balancing_data(form: BalancingForm) -> service.BalancingData:
    return service.BalancingData(
        written_on=form.written_on.data,
        purpose=form.purpose.data or "",
        privacy_impact=form.privacy_impact.data or "",
        alternatives=form.alternatives.data or "",
        conclusion=form.conclusion.data or "",
    )


def _guard_form(deployment: GuardDeployment | None = None) -> GuardForm:
    form = GuardForm(obj=deployment)
    form.place_ids.choices = [
        SelectChoice(p.id, p.name) for p in place_service.places(council().id)
    ]
    if deployment is not None:
        form.place_ids.data = [p.id for p in deployment.places]
        form.version.data = str(deployment.version)
    return form


def _guard_data(form: GuardForm) -> service.GuardData:
    return service.GuardData(
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        hours=form.hours.data or "",
        company=form.company.data or "",
        area=form.area.data or "",
        decision_reference=form.decision_reference.data or "",
        place_ids=list(form.place_ids.data or []),
    )
