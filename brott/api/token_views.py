"""The account page of a user's personal API tokens: make one (shown once), see them all,
revoke one."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from brott import clock
from brott.api.forms import TokenForm
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.notes.forms import BareForm
from brott.services import api_tokens

bp = Blueprint("api_tokens", __name__, url_prefix="/konto/api-nycklar")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form, made = TokenForm(), None
    if form.validate_on_submit():
        try:
            _token, made = api_tokens.create_token(current_user, form.name.data or "", clock.now())
            db.session.commit()
            form.name.data = ""
        except DomainError as error:
            show_on_form(form, error)
    page = render_template(
        "api/tokens.html",
        form=form,
        made=made,
        tokens=api_tokens.tokens_of(current_user),
        revoke_form=BareForm(),
    )
    return page, 400 if form.is_submitted() and made is None else 200


@bp.route("/<int:token_id>/aterkalla", methods=["GET", "POST"])
@login_required
def revoke(token_id: int):
    token = api_tokens.token_of(current_user, token_id)
    if token is None:
        raise NotFound()
    posted = request.method == "POST" and BareForm().validate_on_submit()
    if posted and api_tokens.revoke_token(token, clock.now()):
        db.session.commit()
        flash(_("The token %(name)s is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))  # a GET (a reload) revokes nothing
