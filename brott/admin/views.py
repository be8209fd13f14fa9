"""Administration of a council: members, partner organisations, outbox, audit log, retention."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from brott import clock
from brott.admin.forms import (
    InvitationActionForm,
    MembershipForm,
    NewMemberForm,
    PartnerForm,
    chosen_body,
    offer_bodies,
)
from brott.council_scope import council, load, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models import Invitation, Membership, PartnerOrganisation, Role
from brott.models.reports import ResponsibleBody
from brott.notes.forms import BareForm, RetentionForm
from brott.policy import Permission
from brott.services import audit as audit_service
from brott.services import heartbeat, report_setup
from brott.services import invitations as invitation_service
from brott.services import outbox as outbox_service
from brott.services import partners as partner_service
from brott.services import retention as retention_service
from brott.services import users as user_service
from brott.services.versions import seen_version

bp = Blueprint("admin", __name__, url_prefix="/r/<slug>/admin")


@bp.route("/anvandare")
@requires(Permission.MANAGE_USERS)
def users():
    return render_template(
        "admin/users.html",
        members=user_service.memberships(viewer()),
        invitations=invitation_service.pending(council().id),
        expired_before=clock.now() - invitation_service.max_age(),
        body_names=report_setup.body_names(council().id),
    )


@bp.route("/anvandare/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def create_member():
    """Invite a person; the answer is the same whether or not the address has an account."""
    form = NewMemberForm()
    offer_bodies(form, report_setup.bodies(council().id, active_only=True))
    if form.validate_on_submit():
        try:
            address = invitation_service.invite(
                viewer(),
                form.email.data,
                form.name.data,
                Role(form.role.data),
                clock.now(),
                body_id=chosen_body(form),
            )
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=address), "success")
            return redirect(url_for("admin.users"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("admin/member_form.html", form=form), 400 if form.errors else 200


@bp.route("/medlemskap/<int:membership_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def edit_membership(membership_id: int):
    target = load(Membership, membership_id)
    # a posted form stands on its own: without its version it is a conflict, not today's
    form = MembershipForm(obj=None if request.method == "POST" else target)
    offer_bodies(form, _bodies_for(target))
    if request.method == "GET":
        form.body_id.data = str(target.body_id or "")
    conflict = False
    if form.validate_on_submit():
        try:
            user_service.change_membership(
                viewer(),
                target,
                Role(form.role.data),
                form.active.data,
                seen_version(form.version.data),
                body_id=chosen_body(form),
            )
            db.session.commit()
            flash(_("The membership is saved."), "success")
            return redirect(url_for("admin.users"))
        except DomainError as error:
            show_on_form(form, error)
            # having seen what is saved now, the admin may save again deliberately
            conflict = isinstance(error, ConflictError)
            form.version.data = str(target.version)
    status = 409 if conflict else 400 if form.errors else 200
    return render_template(
        "admin/membership_form.html",
        target=target,
        form=form,
        conflict=conflict,
        body_names=report_setup.body_names(council().id),
    ), status


def _bodies_for(target: Membership) -> list[ResponsibleBody]:
    """The bodies a membership may be tied to: the active ones, and the one it has."""
    return [
        body
        for body in report_setup.bodies(council().id)
        if body.active or body.id == target.body_id
    ]


@bp.route("/medlemskap/<int:membership_id>/skicka-igen", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def resend_member_invitation(membership_id: int):
    """A new member who has not chosen a password yet gets a new link."""
    target = load(Membership, membership_id)
    if request.method == "GET":  # a reload of a refused form sends nothing
        return redirect(url_for("admin.users"))
    if BareForm().validate_on_submit():
        try:
            invitation_service.resend_password_link(viewer(), target, clock.now())
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=target.user.email), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("admin.users"))


@bp.route("/anvandare/inbjudan/skicka-igen", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def resend_invitation():
    if request.method == "GET":  # a reload of a refused form sends nothing
        return redirect(url_for("admin.users"))
    invitation = _posted_invitation()
    if invitation is not None:
        invitation_service.resend(viewer(), invitation, clock.now())
        db.session.commit()
        flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/anvandare/inbjudan/aterkalla", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def withdraw_invitation():
    if request.method == "GET":  # a reload of a refused form withdraws nothing
        return redirect(url_for("admin.users"))
    invitation = _posted_invitation()
    if invitation is not None:
        address = invitation.email
        invitation_service.withdraw(viewer(), invitation, clock.now())
        db.session.commit()
        flash(_("The invitation to %(email)s is withdrawn.", email=address), "success")
    return redirect(url_for("admin.users"))


def _posted_invitation() -> Invitation | None:
    """The council's invitation a row's button names; None (with a notice) when it has been
    accepted or withdrawn meanwhile."""
    form = InvitationActionForm()
    if not form.validate_on_submit():
        return None
    found = invitation_service.find(council().id, form.invitation_id.data or 0)
    if found is None:
        flash(_("The invitation has already been accepted or withdrawn."), "info")
    return found


@bp.route("/utskick")
@requires(Permission.VIEW_OUTBOX)
def outbox():
    scheduler_silent, last_beat = heartbeat.silent_since(clock.now())
    return render_template(
        "admin/outbox.html",
        problems=outbox_service.problems(council().id),
        counts=outbox_service.status_counts(council().id),
        scheduler_silent=scheduler_silent,
        last_beat=last_beat,
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
    form = RetentionForm()
    if not form.is_submitted():
        form.months.data = council().note_retention_months
        form.version.data = str(council().version)
    conflict = False
    if form.validate_on_submit():
        try:
            retention_service.set_retention(
                council(), form.months.data, seen_version(form.version.data)
            )
            db.session.commit()
            flash(_("The retention period is saved."), "success")
            return redirect(url_for("admin.retention"))
        except DomainError as error:
            show_on_form(form, error)
            conflict = _seen_now(form, error, council())
    page = render_template("admin/retention.html", form=form, conflict=conflict)
    return page, 409 if conflict else 200


@bp.route("/partner")
@requires(Permission.MANAGE_PARTNERS)
def partners():
    return render_template("admin/partners.html", partners=partner_service.partners(viewer()))


@bp.route("/partner/ny", methods=["GET", "POST"])
@bp.route("/partner/<int:partner_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_PARTNERS)
def edit_partner(partner_id: int | None = None):
    partner = load(PartnerOrganisation, partner_id) if partner_id is not None else None
    form = PartnerForm(obj=partner if request.method == "GET" else None)
    conflict = False
    if form.validate_on_submit():
        try:
            partner_service.save_partner(
                council().id,
                form.name.data,
                form.kind.data or "",
                partner,
                seen_version=seen_version(form.version.data) if partner else None,
            )
            db.session.commit()
            flash(_("The organisation is saved."), "success")
            return redirect(url_for("admin.partners"))
        except DomainError as error:
            show_on_form(form, error)
            conflict = partner is not None and _seen_now(form, error, partner)
    page = render_template("admin/partner_form.html", form=form, partner=partner, conflict=conflict)
    return page, 409 if conflict else 200


def _seen_now(form, error: DomainError, obj) -> bool:
    """True for a conflict; the form then carries the version saved now, so the user who has
    seen it may save again on purpose (retention and partners)."""
    if not isinstance(error, ConflictError):
        return False
    form.version.data = str(obj.version)
    return True
