"""The public progress page of the council's promise, and choosing what of a measure it shows."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from brott import clock, i18n
from brott.council_scope import load, public_page_for, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models import Measure
from brott.policy import Permission
from brott.progress.forms import PublishForm
from brott.services import progress
from brott.services.versions import seen_version

bp = Blueprint("progress", __name__, url_prefix="/r/<slug>")

# the page may be kept this long by browsers and shared caches; a changed page is noticed
# by its ETag after that
MAX_AGE = 300


@bp.route("/loftet", defaults={"lang": None})
@bp.route("/loftet/<lang>")
@public_page_for(Permission.VIEW_PROGRESS)
def index(lang: str | None):
    """The page in the request's language, or in `lang` (a URL of its own per language, so
    that each can be cached and shared)."""
    if lang is not None and i18n.supported(lang) != lang:
        abort(404)
    with i18n.language(lang or i18n.current_locale()):
        body = render_template(
            "progress/index.html", page=progress.page(viewer(), clock.today()), lang=lang
        )
    response = make_response(body)
    response.add_etag()
    response.vary.update(("Accept-Language", "Cookie"))
    if current_user.is_authenticated:
        response.cache_control.private = True  # the header names the logged-in user
    else:
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


@bp.route("/insatser/<int:measure_id>/publicering", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEASURES)
def publish(measure_id: int):
    measure = load(Measure, measure_id)
    form = PublishForm(obj=measure if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(measure.version)
    status = 200
    if form.validate_on_submit():
        try:
            progress.publish(
                measure,
                current_user,
                form.public_fields.data or [],
                form.public_summary.data or "",
                seen_version(form.version.data),
                clock.now(),
            )
            db.session.commit()
            flash(_("What the public page shows is saved."), "success")
            return redirect(url_for("measures.show", measure_id=measure.id, _anchor="resultat"))
        except DomainError as error:
            show_on_form(form, error)
            status = 400
            if isinstance(error, ConflictError):  # the form shows what is saved now
                status = 409
                form.public_fields.data = list(measure.public_fields)
                form.public_summary.data = measure.public_summary
                form.version.data = str(measure.version)
    elif request.method == "POST":
        status = 400
    return render_template("progress/publish.html", measure=measure, form=form), status
