"""Administration of a council: its members and its partner organisations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from brott import policy
from brott.admin.forms import MembershipForm, NewMemberForm, PartnerForm
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.models import Membership, PartnerOrganisation, Role, User
from brott.notes.forms import BareForm, CategoryForm, PlaceForm, RetentionForm
from brott.policy import Permission
from brott.services import audit as audit_service
from brott.services import notes as notes_service
from brott.services import outbox as outbox_service
from brott.services import partners as partner_service
from brott.services import registers as registers_service
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


@bp.route("/logg")
@login_required
def audit_log(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.VIEW_AUDIT)
    action = request.args.get("handelse") or None
    object_type = request.args.get("typ") or None
    return render_template(
        "admin/audit.html",
        membership=membership,
        entries=audit_service.entries(membership.council_id, action, object_type),
        action=action,
        object_type=object_type,
    )


@bp.route("/platser", methods=["GET", "POST"])
@login_required
def registers(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_PLACES)
    place_form = PlaceForm(prefix="place")
    category_form = CategoryForm(prefix="category")
    submitted = place_form if place_form.name.raw_data else category_form
    if request.method == "POST" and submitted.validate_on_submit():
        try:
            if submitted is place_form:
                registers_service.add_place(
                    membership.council_id,
                    place_form.name.data,
                    place_form.latitude.data,
                    place_form.longitude.data,
                )
            else:
                registers_service.add_category(membership.council_id, category_form.name.data)
            db.session.commit()
            flash("Listan är uppdaterad.", "success")
            return redirect(url_for("admin.registers", slug=slug))
        except DomainError as error:
            show_on_form(submitted, error)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/registers.html",
        membership=membership,
        place_form=place_form,
        category_form=category_form,
        toggle_form=BareForm(),
        places=notes_service.places(membership.council_id, active_only=False),
        categories=notes_service.categories(membership.council_id, active_only=False),
    ), status


@bp.route("/platser/<kind>/<int:item_id>/vaxla", methods=["POST"])
@login_required
def toggle_register(slug: str, kind: str, item_id: int):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_PLACES)
    lookups = {"plats": policy.get_place, "kategori": policy.get_category}
    if kind not in lookups:
        abort(404)
    item = lookups[kind](membership, item_id)
    if BareForm().validate_on_submit():
        registers_service.set_active(item, not item.active)
        db.session.commit()
        flash(f"{item.name} är nu {'i bruk' if item.active else 'ur bruk'}.", "success")
    return redirect(url_for("admin.registers", slug=slug))


@bp.route("/gallring", methods=["GET", "POST"])
@login_required
def retention(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_RETENTION)
    form = RetentionForm(months=membership.council.note_retention_months)
    if form.validate_on_submit():
        try:
            notes_service.set_retention(membership.council, form.months.data)
            db.session.commit()
            flash("Gallringstiden är sparad.", "success")
            return redirect(url_for("admin.retention", slug=slug))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("admin/retention.html", membership=membership, form=form)


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
