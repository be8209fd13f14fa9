"""Open311 GeoReport v2: the council's residents' reports for report apps and case systems,
and the staff page of its API keys.

Every call under /r/<slug>/open311/ is a public page (the public viewer, whoever asks)
answering in the format its URL ends with, .json or .xml. Whatever goes wrong there — a bad
argument, an unknown path or method, a body too large, a server error — is answered in the
specification's error shape and format, never as an HTML page: the blueprint's error
handlers shape it, a catch-all route takes every other path under /open311/, and an HTML
error page that a before-request hook answered with is reshaped on its way out.
"""

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from math import ceil
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import Length

from brott import clock, i18n
from brott.council_scope import council, load, public_page, requires
from brott.errors import DomainError, database_unavailable, roll_back_safely, show_on_form
from brott.extensions import csrf, db
from brott.forms import Form
from brott.input_guard import is_id
from brott.models.reports import Open311Key, ReportCategory, ResidentReport
from brott.notes.forms import BareForm
from brott.observability import request_id
from brott.open311 import formats
from brott.policy import Permission
from brott.services import open311 as service
from brott.services import open311_keys, rate_limit, reports
from brott.uploads import accepts_uploads

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__, url_prefix="/r/<slug>")

V2 = "/open311/v2"
FMT = "<any(json, xml):fmt>"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
STAFF_ENDPOINTS = {"open311.keys", "open311.revoke_key"}

# what an error of each status says when nothing more specific is known
ERROR_TEXTS = {
    400: _l("The request could not be understood; check its arguments."),
    403: _l("This call needs a valid api_key."),
    404: _l("Nothing is found at this address; discovery.json lists the calls."),
    405: _l("This address does not accept that method."),
    413: _l("The request is larger than the service accepts."),
    429: _l("Too many requests; try again later."),
    500: _l("An unexpected error occurred. Nothing was saved; try again later."),
    503: _l("The service is unavailable right now. Nothing was saved; try again later."),
}


class Refusal(Exception):
    """An Open311 call refused with the HTTP status `code` and messages for the client."""

    def __init__(self, code: int, messages: Iterable[str | LazyString], **headers: str) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages)  # lazy ones are rendered in the request's language
        self.headers = headers


def open311_call(view: Callable[..., Any]) -> Callable[..., Any]:
    """A public Open311 call: in the request's language, for the council the URL names
    (a jurisdiction_id, if given, must be its slug)."""

    @wraps(view)
    def call(*args: Any, **kwargs: Any) -> Any:
        with force_locale(_language()):
            jurisdiction = (request.args.get("jurisdiction_id") or "").strip()
            if not jurisdiction and request.method == "POST":
                jurisdiction = (request.form.get("jurisdiction_id") or "").strip()
            if jurisdiction and jurisdiction != council().slug:
                raise Refusal(404, [_("jurisdiction_id not found: %(id)s", id=jurisdiction[:80])])
            return view(*args, **kwargs)

    return public_page(call)


def _language() -> str:
    """`?locale=en` or `sv` if given, else the language the app picks (Accept-Language)."""
    return i18n.supported(request.args.get("locale")) or i18n.current_locale()


# --- the calls ----------------------------------------------------------------------------


@bp.get(f"/open311/discovery.{FMT}")
@open311_call
def discovery(fmt: str):
    endpoint = url_for("open311.services", fmt="json", _external=True).rsplit("/", 1)[0]
    return formats.answer(fmt, "discovery", service.discovery(council(), endpoint))


@bp.get(f"{V2}/services.{FMT}")
@open311_call
def services(fmt: str):
    return formats.answer(fmt, "services", service.services(council().id, i18n.current_locale()))


@bp.get(f"{V2}/services/<service_code>.{FMT}")
@open311_call
def service_definition(service_code: str, fmt: str):
    category = _category(service_code)
    return formats.answer(fmt, "service_definition", service.service_definition(category))


@bp.get(f"{V2}/requests.{FMT}")
@open311_call
def requests(fmt: str):
    try:
        query = formats.request_query(request.args)
    except DomainError as error:
        raise Refusal(400, [message for _field, message in error.field_errors]) from None
    found = service.find_requests(council().id, query, clock.now())
    return _requests_answer(fmt, found)


@bp.get(f"{V2}/requests/<report_id>.{FMT}", endpoint="request")
@open311_call
def one_request(report_id: str, fmt: str):
    # taken as text: an id no report can have (too large, not a number) is the call's 404
    report = service.find_request(council().id, int(report_id)) if is_id(report_id) else None
    if report is None:
        raise Refusal(404, [_("service_request_id not found: %(id)s", id=report_id[:20])])
    return _requests_answer(fmt, [report])


@bp.post(f"{V2}/requests.{FMT}", endpoint="create")
@accepts_uploads
@csrf.exempt  # a client posts with its key, not from a page of ours
@open311_call
def create(fmt: str):
    key = _check_key(request.form.get("api_key") or "")
    category = _category(request.form.get("service_code") or "")
    report = _file(category, key)
    db.session.commit()
    return formats.answer(fmt, "service_requests", [service.created_item(report)])


@bp.route("/open311/", defaults={"rest": ""}, methods=METHODS, endpoint="not_found")
@bp.route("/open311/<path:rest>", methods=METHODS, endpoint="not_found")
@csrf.exempt  # answers every method with an error, changes nothing
@public_page
def not_found(rest: str):
    """Any other path or method under /open311/: 405 where the path is a call, else 404."""
    allowed = _allowed_methods()
    if allowed:
        raise Refusal(405, [ERROR_TEXTS[405]], Allow=", ".join(allowed))
    raise Refusal(404, [ERROR_TEXTS[404]])


# --- what the calls share -----------------------------------------------------------------


def _category(code: str) -> ReportCategory:
    if not code.strip():
        raise Refusal(400, [_("service_code was not provided.")])
    category = reports.category_by_code(council().id, code.strip())
    if category is None:
        raise Refusal(404, [_("service_code not found: %(code)s", code=code.strip()[:40])])
    return category


def _check_key(raw: str) -> Open311Key | None:
    """The valid key given; none given is refused only where the council says so."""
    raw = raw.strip()
    if raw:
        key = open311_keys.verify(council().id, raw)
        if key is None:
            raise Refusal(403, [_("Invalid api_key; ask the council for a valid one.")])
        return key
    if reports.settings_for(council().id).open311_key_required:
        raise Refusal(403, [_("An api_key is required to post a request.")])
    return None


def _file(category: ReportCategory, key: Open311Key | None) -> ResidentReport:
    """The posted request, checked as the web form is, counted against its key's limit (an
    app or case system posts for many residents from one address) or else the client
    address's, and filed; a Refusal with every problem otherwise."""
    now = clock.now()
    try:
        data = service.report_data(category, request.form, i18n.current_locale())
        problems = reports.check(council().id, data)
        if problems:
            raise DomainError.from_errors(problems)
        wait = (
            rate_limit.take_key_slot(key.id, now)
            if key is not None
            else rate_limit.take_report_slot(request.remote_addr, now)
        )
        if wait is not None:
            seconds = max(1, ceil((wait - now).total_seconds()))
            message = ngettext(
                "Too many requests from this address; try again in %(num)d minute.",
                "Too many requests from this address; try again in %(num)d minutes.",
                max(1, ceil(seconds / 60)),
            )
            raise Refusal(429, [message], Retry_After=str(seconds))
        return reports.submit(council().id, data, now, photo=request.files.get("media"))
    except DomainError as error:
        db.session.rollback()
        raise Refusal(400, [message for _field, message in error.field_errors]) from None


def _requests_answer(fmt: str, found: list[ResidentReport]) -> Response:
    notes = service.status_notes(found)
    locale = i18n.current_locale()
    items = [service.request_item(report, notes[report.id], locale) for report in found]
    return formats.answer(fmt, "service_requests", items)


def _allowed_methods() -> list[str]:
    """The methods the calls of this path take (none: the path is no call)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _values = adapter.match(request.path, method)
        except HTTPException:
            continue
        if endpoint != "open311.not_found":
            allowed.append(method)
    return allowed


# --- errors in the specification's shape ----------------------------------------------------


def _is_call() -> bool:
    return request.endpoint not in STAFF_ENDPOINTS


def _format() -> str:
    return formats.format_of(request.path, (request.view_args or {}).get("fmt"))


@bp.errorhandler(Refusal)
def refused(error: Refusal):
    db.session.rollback()
    with force_locale(_language()):
        messages = [str(message) for message in error.messages]
    return formats.errors(_format(), error.code, messages, **error.headers)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    if not _is_call():
        return _site_error(error)
    roll_back_safely()
    code = error.code or 500
    with force_locale(_language()):
        text = ERROR_TEXTS.get(code) or error.description or ERROR_TEXTS[400]
        return formats.errors(_format(), code, [str(text)])


@bp.errorhandler(Exception)
def unexpected(error: Exception):
    if not _is_call():
        return _site_error(error)
    unavailable = database_unavailable(error)
    if not unavailable:
        log.error("unhandled error (request %s)", request_id(), exc_info=error)
    roll_back_safely()
    code = 503 if unavailable else 500
    with force_locale(_language()):
        described = [f"{ERROR_TEXTS[code]} ({request_id()})"]
    headers = {"Retry_After": "30"} if unavailable else {}
    return formats.errors(_format(), code, described, **headers)


def _site_error(error: Exception):
    """The staff pages of this blueprint answer errors as every other page does."""
    handler = current_app._find_error_handler(error, [])  # the app's own handlers
    if handler is None:  # pragma: no cover - brott.errors handles every exception
        raise error
    return handler(error)


@bp.after_request
def shape_call_answers(response: Response) -> Response:
    """A call's HTML error page (a before-request check answers with one) becomes the error
    shape; a GET's answer may be read by a page of any site."""
    if not _is_call():
        return response
    if response.status_code >= 400 and response.mimetype == "text/html":
        with force_locale(_language()):
            text = ERROR_TEXTS.get(response.status_code, ERROR_TEXTS[400])
            shaped = formats.errors(_format(), response.status_code, [str(text)])
        for name in ("Retry-After", "Allow"):
            if name in response.headers:
                shaped.headers[name] = response.headers[name]
        response = shaped
    if request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- the API keys (staff) -------------------------------------------------------------------


class KeyForm(Form):
    name = StringField(
        _l("Whose client is it?"),
        description=_l("E.g. the name of the app or the case system, and who runs it."),
        validators=[Length(max=open311_keys.NAME_MAX)],
    )


@bp.route("/rapporter/open311-nycklar", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def keys():
    form, made = KeyForm(), None
    if form.validate_on_submit():
        try:
            _key, made = open311_keys.create(council().id, form.name.data or "", clock.now())
            db.session.commit()
            form.name.data = ""
        except DomainError as error:
            show_on_form(form, error)
    status = 400 if form.is_submitted() and made is None else 200
    return _keys_page(form, made), status


@bp.route("/rapporter/open311-nycklar/<int:key_id>/aterkalla", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPORTS)
def revoke_key(key_id: int):
    key = load(Open311Key, key_id)
    posted = request.method == "POST" and BareForm().validate_on_submit()
    if posted and open311_keys.revoke(key, clock.now()):
        db.session.commit()
        flash(_("The key of %(name)s is revoked.", name=key.name), "success")
    return redirect(url_for("open311.keys"))  # a GET (a reload) revokes nothing


def _keys_page(form: KeyForm, made: str | None) -> str:
    return render_template(
        "open311/keys.html",
        form=form,
        made=made,
        keys=open311_keys.keys(council().id),
        revoke_form=BareForm(),
        endpoint=url_for("open311.services", fmt="json", _external=True).rsplit("/", 1)[0],
        discovery=url_for("open311.discovery", fmt="json", _external=True),
        key_required=reports.settings_for(council().id).open311_key_required,
    )
