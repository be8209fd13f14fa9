"""Administration of a council: members, partner organisations, outbox, audit log, retention."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from brott.admin.forms import MembershipForm, NewMemberForm, PartnerForm
from brott.council_scope import council, load, requires, viewer
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.models import Membership, PartnerOrganisation, Role
from brott.notes.forms import RetentionForm
from brott.policy import Permission
from brott.services import audit as audit_service
from brott.services import outbox as outbox_service
from brott.services import partners as partner_service
from brott.services import retention as retention_service
from brott.services import users as user_service

bp = Blueprint("admin", __name__, url_prefix="/r/<slug>/admin")


@bp.route("/anvandare")
@requires(Permission.MANAGE_USERS)
def users():
    return render_template("admin/users.html", members=user_service.memberships(viewer()))


@bp.route("/anvandare/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def create_member():
    form = NewMemberForm()
    if form.validate_on_submit():
        try:
            user_service.add_member(
                council(),
                form.email.data,
                form.name.data,
                form.password.data or "",
                Role(form.role.data),
            )
            db.session.commit()
            flash(_("The member is added."), "success")
            return redirect(url_for("admin.users"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("admin/member_form.html", form=form)


@bp.route("/medlemskap/<int:membership_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def edit_membership(membership_id: int):
    target = load(Membership, membership_id)
    form = MembershipForm(obj=target)
    if form.validate_on_submit():
        try:
            user_service.change_membership(viewer(), target, Role(form.role.data), form.active.data)
            db.session.commit()
            flash(_("The membership is saved."), "success")
            return redirect(url_for("admin.users"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("admin/membership_form.html", target=target, form=form)


@bp.route("/utskick")
@requires(Permission.VIEW_OUTBOX)
def outbox():
    return render_template(
        "admin/outbox.html",
        problems=outbox_service.problems(council().id),
        counts=outbox_service.status_counts(council().id),
    )


@bp.route("/logg")
@requires(Permission.VIEW_AUDIT)
def audit_log():
    action = request.args.get("handelse") or None
    object_type = request.args.get("typ") or None
    return render_template(
        "admin/audit.html",
        entries=audit_service.entries(council().id, action, object_type),
        action=action,
        object_type=object_type,
    )


@bp.route("/gallring", methods=["GET", "POST"])
@requires(Permission.MANAGE_RETENTION)
def retention():
    form = RetentionForm(months=council().note_retention_months)
    if form.validate_on_submit():
        try:
            retention_service.set_retention(council(), form.months.data)
            db.session.commit()
            flash(_("The retention period is saved."), "success")
            return redirect(url_for("admin.retention"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("admin/retention.html", form=form)


@bp.route("/partner")
@requires(Permission.MANAGE_PARTNERS)
def partners():
    return render_template("admin/partners.html", partners=partner_service.partners(viewer()))


@bp.route("/partner/ny", methods=["GET", "POST"])
@bp.route("/partner/<int:partner_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_PARTNERS)
def edit_partner(partner_id: int | None = None):
    partner = load(PartnerOrganisation, partner_id) if partner_id is not None else None
    form = PartnerForm(obj=partner)
    if form.validate_on_submit():
        try:
            partner_service.save_partner(
                council().id, form.name.data, form.kind.data or "", partner
            )
            db.session.commit()
            flash(_("The organisation is saved."), "success")
            return redirect(url_for("admin.partners"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("admin/partner_form.html", form=form, partner=partner)
