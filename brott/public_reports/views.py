"""The public pages of residents' reports: the report form (with the similar reports nearby
and "me too"), the tracking page behind its secret link (with the question whether a fix
held), and the perceived-safety form.

Every view is a `@public_page`: a logged-in member sees exactly what a visitor sees. The
rules are the services' (services/reports, report_handling, safety_marks); a view checks the
honeypot and the rate limit, and answers bad input with the form again, input kept.
"""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _

from brott import clock, i18n, security
from brott.council_scope import council, public_page
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.input_guard import is_id
from brott.models.reports import (
    REPORT_STATUS_LABELS,
    Feeling,
    FeelingReason,
    ReportCategory,
    ReportStatus,
    ReportSupporter,
    ResidentReport,
    TimeOfDay,
)
from brott.public_reports.forms import (
    AnswerForm,
    MarkForm,
    PlaceFields,
    ReportForm,
    SupportForm,
)
from brott.services import photos, rate_limit, report_handling, reports, safety_marks
from brott.uploads import accepts_uploads

bp = Blueprint("public_reports", __name__, url_prefix="/r/<slug>")


@bp.context_processor
def report_globals() -> dict[str, Any]:
    return {"category_name": category_name, "status_labels": REPORT_STATUS_LABELS}


# --- filing a report ----------------------------------------------------------------------


@bp.route("/rapportera", methods=["GET", "POST"])
@public_page
@accepts_uploads
def report():
    form = _report_form()
    if not form.is_submitted():
        return _report_page(form)
    data = _report_data(form)
    if _refused(form, reports.check(council().id, data)):
        return _report_page(form, 400)
    nearby = _nearby(data) if form.confirm_new.data != "1" else []
    if nearby:
        return _report_page(form, nearby=nearby)
    if _rate_limited(form):
        return _report_page(form, 429)
    try:
        filed = reports.submit(council().id, data, clock.now(), request.files.get("photo"))
    except DomainError as error:
        _show(form, error)
        return _report_page(form, 400)
    db.session.commit()
    flash(_("Thank you — your report has been received."), "success")
    return redirect(url_for("public_reports.track", token=filed.token), 303)


@bp.route("/rapportera/<int:report_id>/jag-ocksa", methods=["GET", "POST"])
@public_page
def support(report_id: int):
    if request.method == "GET":  # a reload of a refused "me too" changes nothing
        return redirect(url_for("public_reports.report"))
    report = _report_of_council(report_id)
    form = SupportForm()
    refusal = _support_refusal(form, report)
    if refusal is not None:
        return _notice(*refusal)
    try:
        supporter = reports.support(
            report, form.email.data or "", i18n.current_locale(), clock.now()
        )
    except DomainError as error:
        db.session.rollback()
        return _notice(error.message, 400)
    db.session.commit()
    flash(_("Thank you — your “me too” has been added to the report."), "success")
    return redirect(url_for("public_reports.track", token=supporter.token), 303)


# --- following a report -------------------------------------------------------------------


@bp.route("/rapport/<token>")
@public_page
def track(token: str):
    report, supporter = _tracked(token)
    return _track_page(token, report, supporter, AnswerForm(formdata=None))


@bp.route("/rapport/<token>/svar", methods=["GET", "POST"])
@public_page
def answer(token: str):
    report, supporter = _tracked(token)
    if request.method == "GET":  # a reload of a refused answer changes nothing
        return redirect(url_for("public_reports.track", token=token))
    form = AnswerForm()
    if form.validate():
        target = reports.original_of(report)
        try:
            report_handling.answer_follow_up(
                target, form.fixed.data == "yes", form.text.data or "", clock.now()
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_answered_message(target), "success")
            return redirect(url_for("public_reports.track", token=token), 303)
    return _track_page(token, report, supporter, form, 400)


@bp.route("/rapport/<token>/foto")
@public_page
def photo(token: str):
    report, supporter = _tracked(token)
    if supporter is not None or report.photo is None:  # the reporter's own link only
        abort(404)
    return photos.response(report.photo)


# --- perceived safety ---------------------------------------------------------------------


@bp.route("/trygghet", methods=["GET", "POST"])
@public_page
def mark():
    form = MarkForm()
    if not form.is_submitted():
        return _mark_page(form)
    data = _mark_data(form)
    if _refused(form, safety_marks.check(council().id, data)):
        return _mark_page(form, 400)
    if _rate_limited(form):
        return _mark_page(form, 429)
    try:
        safety_marks.record_mark(council().id, data, clock.now())
    except DomainError as error:
        _show(form, error)
        return _mark_page(form, 400)
    db.session.commit()
    return redirect(url_for("public_reports.mark_thanks"), 303)


@bp.route("/trygghet/tack")
@public_page
def mark_thanks():
    return render_template("public_reports/mark_thanks.html")


# --- the map's Content-Security-Policy ------------------------------------------------------

# a host the policy may name: letters, digits, dots and dashes, "*." only as its first label
_POLICY_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$")


def tile_origin(tile_url: str) -> str | None:
    """The origin of the map's tile server as a CSP source ("https://*.tile.example.org" for
    a `{s}` subdomain), or None when the tiles come from the app itself or the URL is odd."""
    parts = urlsplit(tile_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = re.sub(r"^\{[a-z]+\}\.", "*.", parts.netloc)
    return f"{parts.scheme}://{host}" if _POLICY_HOST.match(host) else None


def with_map_policy(response: Response) -> Response:
    """Let this response's page load map tiles from the configured tile server: the app's
    policy (brott/security), with the tile server's origin added to img-src."""
    origin = tile_origin(current_app.config.get("MAP_TILE_URL", ""))
    if origin is not None:
        directives = [
            f"{part} {origin}" if part.startswith("img-src ") else part
            for part in security.CONTENT_SECURITY_POLICY.split("; ")
        ]
        response.headers["Content-Security-Policy"] = "; ".join(directives)
    return response


def map_settings() -> dict[str, Any]:
    """What the map script reads from the page: tiles, the council's territory and centre."""
    settings = reports.settings_for(council().id)
    return {
        "tile_url": current_app.config.get("MAP_TILE_URL", ""),
        "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
        "centre": (
            (settings.min_latitude + settings.max_latitude) / 2,
            (settings.min_longitude + settings.max_longitude) / 2,
        ),
        "bounds": (
            settings.min_latitude,
            settings.min_longitude,
            settings.max_latitude,
            settings.max_longitude,
        ),
    }


# --- helpers ------------------------------------------------------------------------------


def category_name(category: ReportCategory) -> str:
    """The category's name in the page's language (its English name, when it has one)."""
    if i18n.current_locale() == "en" and category.name_en:
        return category.name_en
    return category.name


def _report_form() -> ReportForm:
    form = ReportForm()
    form.categories = reports.categories(council().id)
    form.category_id.choices = [(str(c.id), category_name(c)) for c in form.categories]
    form.photo_errors = []
    return form


def _report_data(form: ReportForm) -> reports.ReportData:
    raw = form.category_id.data
    return reports.ReportData(
        category_id=int(raw) if isinstance(raw, str) and is_id(raw) else None,
        address=form.address.data or "",
        description=form.description.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        email=form.email.data or "",
        locale=i18n.current_locale(),
    )


def _mark_data(form: MarkForm) -> safety_marks.MarkData:
    def choice(kind: Any, value: Any) -> Any:
        return kind(value) if value in {item.value for item in kind} else None

    return safety_marks.MarkData(
        feeling=choice(Feeling, form.feeling.data),
        time_of_day=choice(TimeOfDay, form.time_of_day.data),
        reason=choice(FeelingReason, form.reason.data),
        address=form.address.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        comment=form.comment.data or "",
    )


def _refused(form: PlaceFields, errors: dict[str | None, list[str]]) -> bool:
    """Whether the form is refused: its own checks, the honeypot and the service's rules,
    all shown at once (a field the form flagged keeps the form's message only)."""
    valid = form.validate()
    if form.website.data:
        errors = {**errors, None: [_("The form could not be sent. Please try again.")]}
    if errors:
        _show(form, DomainError.from_errors(errors))
    return bool(errors) or not valid


def _show(form: Any, error: DomainError) -> None:
    """Show a service's refusal on the form: photo problems by the photo input."""
    if hasattr(form, "photo_errors"):
        form.photo_errors = error.errors.get("photo", [])
    rest = {
        name: messages
        for name, messages in error.errors.items()
        if name != "photo" and not (name and name in form and form[name].errors)
    }
    if rest:
        show_on_form(form, DomainError.from_errors(rest))
    else:
        db.session.rollback()


def _rate_limited(form: Any) -> bool:
    """Count one more from this client address; when it is over the limit, say until when."""
    wait = rate_limit.take_report_slot(request.remote_addr, clock.now())
    if wait is None:
        return False
    form.form_errors.append(
        _(
            "You have sent several reports in a short time. To protect the service, you can "
            "send the next one from %(time)s. What you wrote is kept below.",
            time=_when(wait),
        )
    )
    return True


def _when(moment: datetime) -> str:
    same_day = moment.astimezone(clock.STOCKHOLM).date() == clock.today()
    return format_datetime(moment, "HH:mm" if same_day else "yyyy-MM-dd HH:mm")


def _nearby(data: reports.ReportData) -> list[tuple[ResidentReport, float]]:
    if data.latitude is None or data.longitude is None or data.category_id is None:
        return []
    radius = reports.settings_for(council().id).nearby_metres
    return reports.nearby_open(
        council().id, data.category_id, data.latitude, data.longitude, radius
    )


def _report_of_council(report_id: int) -> ResidentReport:
    report = db.session.get(ResidentReport, report_id)
    if report is None or report.council_id != council().id:
        abort(404)
    return report


def _support_refusal(form: SupportForm, report: ResidentReport) -> tuple[str, int] | None:
    """Why a "me too" cannot be taken now (message, status), or None."""
    if not form.validate():
        return _("The request could not be understood. Reload the page and try again."), 400
    if not reports.original_of(report).is_open:
        return _("This report is no longer open; file a new one if it is back."), 409
    if _rate_limited(form):
        return " ".join(form.form_errors), 429
    return None


def _tracked(token: str) -> tuple[ResidentReport, ReportSupporter | None]:
    """The report behind a tracking link; an unknown link is any unknown page (404)."""
    found = reports.by_token(council().id, token)
    if found is None:
        abort(404)
    return found


def _answered_message(report: ResidentReport) -> str:
    if report.status is ReportStatus.NEW:
        return _("Thank you. The report has been reopened and goes back to those who fix it.")
    return _("Thank you for confirming that it is fixed.")


def _notice(message: str, status: int) -> tuple[str, int]:
    return render_template("public_reports/notice.html", message=message), status


def _report_page(
    form: ReportForm, status: int = 200, nearby: Sequence[tuple[ResidentReport, float]] = ()
) -> Response:
    settings = reports.settings_for(council().id)
    page = render_template(
        "public_reports/report.html",
        form=form,
        nearby=nearby,
        descriptions={str(c.id): c.description for c in form.categories},
        description_max=reports.DESCRIPTION_MAX,
        retention_days=settings.email_retention_days,
        contact_text=settings.contact_text,
        map=map_settings(),
    )
    return with_map_policy(make_response(page, status))


def _mark_page(form: MarkForm, status: int = 200) -> Response:
    page = render_template(
        "public_reports/mark.html",
        form=form,
        comment_max=safety_marks.COMMENT_MAX,
        map=map_settings(),
    )
    return with_map_policy(make_response(page, status))


def _track_page(
    token: str,
    report: ResidentReport,
    supporter: ReportSupporter | None,
    form: AnswerForm,
    status: int = 200,
) -> Response:
    target = reports.original_of(report)
    page = render_template(
        "public_reports/track.html",
        report=report,
        target=target,
        events=reports.public_events(report),
        supporter=supporter,
        form=form,
        can_answer=target.status is ReportStatus.FIXED and target.follow_up_answered_at is None,
        tracking_url=url_for("public_reports.track", token=token, _external=True),
        token=token,
    )
    # the path is the secret: the app's Referrer-Policy (same-origin) keeps it from other
    # sites, and the page loads nothing from elsewhere
    return make_response(page, status)
