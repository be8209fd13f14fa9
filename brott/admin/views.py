"""Administration of a council: its members and its partner organisations."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from brott import policy
from brott.admin.forms import MembershipForm, NewMemberForm, PartnerForm
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.models import Membership, PartnerOrganisation, Role, User
from brott.policy import Permission
from brott.services import outbox as outbox_service
from brott.services import partners as partner_service
from brott.services import users as user_service

bp = Blueprint("admin", __name__, url_prefix="/r/<slug>/admin")


@bp.route("/anvandare")
@login_required
def users(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_USERS)
    members = db.session.scalars(
        policy.memberships_query(membership)
        .join(Membership.user)
        .options(joinedload(Membership.user))
        .order_by(User.name)
    ).all()
    return render_template("admin/users.html", membership=membership, members=members)


@bp.route("/anvandare/ny", methods=["GET", "POST"])
@login_required
def create_member(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_USERS)
    form = NewMemberForm()
    if form.validate_on_submit():
        try:
            user_service.add_member(
                membership.council,
                form.email.data,
                form.name.data,
                form.password.data or "",
                Role(form.role.data),
            )
            db.session.commit()
            flash("Medlemmen är tillagd.", "success")
            return redirect(url_for("admin.users", slug=slug))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("admin/member_form.html", membership=membership, form=form)


@bp.route("/medlemskap/<int:membership_id>", methods=["GET", "POST"])
@login_required
def edit_membership(slug: str, membership_id: int):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_USERS)
    target = policy.get_membership(membership, membership_id)
    form = MembershipForm(obj=target)
    if form.validate_on_submit():
        try:
            user_service.change_membership(
                membership, target, Role(form.role.data), form.active.data
            )
            db.session.commit()
            flash("Medlemskapet är sparat.", "success")
            return redirect(url_for("admin.users", slug=slug))
        except DomainError as error:
            show_on_form(form, error)
    return render_template(
        "admin/membership_form.html", membership=membership, target=target, form=form
    )


@bp.route("/utskick")
@login_required
def outbox(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.VIEW_OUTBOX)
    return render_template(
        "admin/outbox.html",
        membership=membership,
        problems=outbox_service.problems(membership.council_id),
        counts=outbox_service.status_counts(membership.council_id),
    )


@bp.route("/partner")
@login_required
def partners(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_PARTNERS)
    partners = db.session.scalars(
        policy.partners_query(membership).order_by(PartnerOrganisation.name)
    ).all()
    return render_template("admin/partners.html", membership=membership, partners=partners)


@bp.route("/partner/ny", methods=["GET", "POST"])
@bp.route("/partner/<int:partner_id>", methods=["GET", "POST"])
@login_required
def edit_partner(slug: str, partner_id: int | None = None):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_PARTNERS)
    partner = policy.get_partner(membership, partner_id) if partner_id is not None else None
    form = PartnerForm(obj=partner)
    if form.validate_on_submit():
        try:
            partner_service.save_partner(
                membership.council_id, form.name.data, form.kind.data or "", partner
            )
            db.session.commit()
            flash("Organisationen är sparad.", "success")
            return redirect(url_for("admin.partners", slug=slug))
        except DomainError as error:
            show_on_form(form, error)
    return render_template(
        "admin/partner_form.html", membership=membership, form=form, partner=partner
    )
