"""The council's report service set up by coordinators: settings, categories, responsible
bodies and routing rules (services/report_setup)."""

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from brott.council_scope import council, load, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models.reports import ReportCategory, ResponsibleBody, RoutingRule
from brott.notes.forms import BareForm
from brott.policy import Permission
from brott.reports.setup_forms import (
    RuleForm,
    SettingsForm,
    body_data,
    body_form,
    category_data,
    category_form,
    chosen_id,
    rule_form,
    settings_data,
)
from brott.services import partners as partner_service
from brott.services import report_setup as service
from brott.services import reports
from brott.services.versions import seen_version

bp = Blueprint("report_setup", __name__, url_prefix="/r/<slug>/rapporter/installningar")


@bp.route("/")
@requires(Permission.MANAGE_REPORTS)
def index():
    return _index_page(rule_form(council().id))


@bp.route("/tjanst", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def settings():
    current = reports.settings_for(council().id)
    # only a GET fills the form from what is saved: a POST without a version must not borrow one
    form = SettingsForm(obj=current if request.method == "GET" else None)
    conflict = False
    if form.validate_on_submit():
        try:
            service.save_settings(
                council().id, settings_data(form), seen_version(form.version.data)
            )
            db.session.commit()
            flash(_("The settings are saved."), "success")
            return redirect(url_for("report_setup.index"))
        except DomainError as error:
            show_on_form(form, error)
            conflict = isinstance(error, ConflictError)
            if conflict:  # having seen what is saved now, the user may save again
                current = reports.settings_for(council().id)
                form.version.data = str(current.version)
    page = render_template(
        "reports/setup_settings.html", form=form, saved=current, conflict=conflict
    )
    return page, _status(form, conflict)


@bp.route("/kategorier/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def create_category():
    form = category_form(council().id)

    def save() -> str:
        category = service.add_category(council().id, category_data(form))
        return _("The category %(name)s is saved.", name=category.name)

    saved, conflict = _submitted(form, save)
    if saved is not None:
        return saved
    page = render_template("reports/setup_category.html", form=form, category=None)
    return page, _status(form, conflict)


@bp.route("/kategorier/<int:report_category_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def edit_category(report_category_id: int):
    category = load(ReportCategory, report_category_id)
    loaded = request.method == "GET"
    form = category_form(council().id, category.body_id, obj=category if loaded else None)
    if loaded:
        form.body_id.data = str(category.body_id or "")

    def save() -> str:
        service.update_category(category, category_data(form), seen_version(form.version.data))
        return _("The category %(name)s is saved.", name=category.name)

    saved, conflict = _submitted(form, save, category)
    if saved is not None:
        return saved
    page = render_template(
        "reports/setup_category.html",
        form=form,
        category=category,
        code_fixed=service.has_reports(category.id),
        conflict=conflict,
    )
    return page, _status(form, conflict)


@bp.route("/organisationer/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def create_body():
    form = body_form(council().id, partner_service.partners(viewer()))

    def save() -> str:
        body = service.add_body(council().id, body_data(form))
        return _("%(name)s is saved.", name=body.name)

    saved, conflict = _submitted(form, save)
    if saved is not None:
        return saved
    page = render_template("reports/setup_body.html", form=form, body=None)
    return page, _status(form, conflict)


@bp.route("/organisationer/<int:body_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def edit_body(body_id: int):
    body = load(ResponsibleBody, body_id)
    loaded = request.method == "GET"
    form = body_form(council().id, partner_service.partners(viewer()), obj=body if loaded else None)
    if loaded:
        form.partner_id.data = str(body.partner_id or "")

    def save() -> str:
        service.update_body(body, body_data(form), seen_version(form.version.data))
        return _("%(name)s is saved.", name=body.name)

    saved, conflict = _submitted(form, save, body)
    if saved is not None:
        return saved
    page = render_template("reports/setup_body.html", form=form, body=body, conflict=conflict)
    return page, _status(form, conflict)


@bp.route("/regler", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def create_rule():
    if request.method == "GET":  # a reload of a refused form: back to the overview
        return redirect(url_for("report_setup.index", _anchor="regler"))
    form = rule_form(council().id)
    if form.validate_on_submit():
        try:
            service.add_rule(
                council().id,
                chosen_id(form.category_id),
                form.area.data or "",
                chosen_id(form.body_id),
            )
            db.session.commit()
            flash(_("The routing rule is saved."), "success")
            return redirect(url_for("report_setup.index", _anchor="regler"))
        except DomainError as error:
            show_on_form(form, error)
    return _index_page(form), 400


@bp.route("/regler/<int:rule_id>/ta-bort", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def delete_rule(rule_id: int):
    rule = load(RoutingRule, rule_id)
    if request.method == "POST" and BareForm().validate_on_submit():
        service.delete_rule(rule)
        db.session.commit()
        flash(_("The routing rule is removed."), "success")
    # a GET (the reload of a refused form) removes nothing
    return redirect(url_for("report_setup.index", _anchor="regler"))


def _index_page(form: RuleForm) -> str:
    council_id = council().id
    return render_template(
        "reports/setup_index.html",
        settings=reports.settings_for(council_id),
        categories=service.categories(council_id),
        bodies=service.bodies(council_id),
        staff=service.staff_counts(council_id),
        rules=service.rules(council_id),
        rule_form=form,
        delete_form=BareForm(),
    )


def _submitted(
    form, save: Callable[[], str], edited: object = None
) -> tuple[ResponseReturnValue | None, bool]:
    """A submitted, valid form saved (`save` returns the message to flash) and committed:
    (the redirect to the overview, False). Otherwise (None, whether it was a conflict over
    `edited`), with every message on the form."""
    if not form.validate_on_submit():
        return None, False
    try:
        message = save()
        db.session.commit()
    except DomainError as error:
        show_on_form(form, error)
        return None, edited is not None and _seen_now(form, error, edited)
    flash(message, "success")
    return redirect(url_for("report_setup.index")), False


def _status(form, conflict: bool) -> int:
    return 409 if conflict else 400 if form.is_submitted() else 200


def _seen_now(form, error: DomainError, obj) -> bool:
    """True for a conflict; the form then carries the version saved now, so the user who has
    seen it may save again on purpose."""
    if not isinstance(error, ConflictError):
        return False
    form.version.data = str(obj.version)
    return True
