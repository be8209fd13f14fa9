"""The read-only JSON API under /api/v1: the councils of a token's user, and in each the
promises, measures (one with its journal and indicators), EST meetings, actions and, for the
police, the shared situation notes. The OpenAPI document is at /api/v1/openapi.json.

Every call but the document's needs a personal API token (`Authorization: Bearer …`, made
on the account page); a browser's login is not enough. The council in the URL is resolved
once per request, with the token's user, into a token viewer (`g.viewer`): a user who is no
member of it gets 404, as for a council that does not exist, and the viewer reads through the
policy what the user may read, limited to what a token may (`policy.RULES`). A view declares
its answer's schema and the permission it needs with `@operation`, and returns the object or
the page of rows that the schema turns into JSON.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from marshmallow import Schema
from werkzeug.exceptions import Forbidden, NotFound, TooManyRequests

from brott import clock, errors, policy
from brott.api import openapi, responses
from brott.api.responses import (
    Page,
    TokenRefused,
    answer,
    page_body,
    page_request,
    paginate,
)
from brott.api.schemas import (
    ActionOut,
    CouncilOut,
    MeasureDetailOut,
    MeasureOut,
    MeetingOut,
    NoteOut,
    PromiseOut,
)
from brott.council_scope import viewer
from brott.extensions import db
from brott.models import SituationNote
from brott.models.api_token import ApiToken
from brott.policy import Permission, Viewer
from brott.services import api_reads, api_tokens, audit
from brott.services import notes as note_service

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SLUG = "council_slug"
COUNCIL = f"/councils/<{SLUG}>"
OPEN_ENDPOINTS = {"api.openapi"}  # the document needs no token


@bp.record_once
def _answer_errors_in_json(state: BlueprintSetupState) -> None:
    errors.answer_errors_under(state.app, bp.url_prefix or "", responses.error_response)


@bp.url_value_preprocessor
def take_council_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and SLUG in values:
        g.api_council_slug = values.pop(SLUG)


@bp.url_defaults
def fill_council_slug(endpoint: str, values: dict[str, Any]) -> None:
    slug = g.get("api_council_slug")
    expecting = current_app.url_map.is_endpoint_expecting(endpoint, SLUG)
    if slug is not None and SLUG not in values and expecting:
        values[SLUG] = slug


@bp.before_request
def resolve_token_viewer() -> None:
    """The token (401 without a valid one), and in a council the token viewer (404 for a
    council the user is no member of, 403 where their role may not use the API)."""
    if request.endpoint in OPEN_ENDPOINTS:
        return
    now = clock.now()
    token = _token(now)
    g.api_token = token
    audit.acting_as(token.user)  # the police's reads of notes are logged as theirs
    if api_tokens.note_use(token, now):
        db.session.commit()
    slug = g.get("api_council_slug")
    if slug is None:
        return
    membership = api_tokens.membership_in(token, slug)
    if membership is None:
        raise NotFound()
    g.viewer = Viewer.token(membership)
    if not policy.can(g.viewer, Permission.USE_API):
        raise Forbidden(_("Your API token gives no access to this council."))


def _token(now: datetime) -> ApiToken:
    scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise TokenRefused(
            _(
                "Send your API token as “Authorization: Bearer <token>”. "
                "You make one on your account page."
            ),
            invalid_token=False,
        )
    address = request.remote_addr
    wait = api_tokens.retry_at(address, now)
    if wait is not None:
        raise TooManyRequests(retry_after=wait)
    token = api_tokens.authenticate(raw.strip())
    if token is None:
        api_tokens.record_failure(address, now)
        db.session.commit()
        raise TokenRefused(
            _("The API token is not valid: it is mistyped, revoked, or its account is closed."),
            invalid_token=True,
        )
    return token


# --- what a view declares ---------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """What a view answers with (api/openapi.py documents it from here)."""

    schema: type[Schema]
    many: bool = False  # a page of rows (`page` and `per_page` in the query string)
    permission: Permission | None = None  # in the URL's council
    modified: Callable[[Any], datetime] | None = None  # the Last-Modified of an object
    logged: bool = False  # the view logs the read (the audit log): committed with the answer


def operation(
    schema: type[Schema],
    *,
    many: bool = False,
    permission: Permission | None = None,
    modified: Callable[[Any], datetime] | None = None,
    logged: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs `permission` (403 without it) and returns an object of `schema`, or a
    Page of them (`many`), which is answered as JSON with an ETag. A `logged` view's writes
    are committed once the answer is made (a commit first would expire what it shows)."""
    declared = Operation(schema, many, permission, modified, logged)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def answered(*args: Any, **kwargs: Any) -> Any:
            if permission is not None and not policy.can(viewer(), permission):
                raise Forbidden()
            found = view(*args, **kwargs)
            body = page_body(found, schema) if many else schema().dump(found)
            last_modified = modified(found) if modified is not None else None
            if logged:
                db.session.commit()
            return answer(body, last_modified)

        answered.api_operation = declared  # type: ignore[attr-defined]
        answered.required_permission = permission  # type: ignore[attr-defined]
        return answered

    return decorate


# --- the calls ---------------------------------------------------------------------------------


@bp.get("/openapi.json", endpoint="openapi")
def document():
    """The OpenAPI 3.1 document of this API."""
    return answer(openapi.document(current_app))


@bp.get("/councils")
@operation(CouncilOut, many=True)
def councils() -> Page:
    """The councils the token's user is a member of and may read through the API."""
    readable = [
        membership
        for membership in policy.councils_of(g.api_token.user)
        if policy.can(Viewer.token(membership), Permission.USE_API)
    ]
    return responses.paginate_list(readable, page_request())


@bp.get(f"{COUNCIL}/promises")
@operation(PromiseOut, many=True, permission=Permission.VIEW_MEASURES)
def promises() -> Page:
    """The council's citizen promises, the newest period first."""
    return paginate(api_reads.promises(viewer()), page_request())


@bp.get(f"{COUNCIL}/measures")
@operation(MeasureOut, many=True, permission=Permission.VIEW_MEASURES)
def measures() -> Page:
    """The council's measures, in promise order."""
    return paginate(api_reads.measures(viewer()), page_request(), *api_reads.MEASURE_LOADING)


@bp.get(f"{COUNCIL}/measures/<int:measure_id>")
@operation(
    MeasureDetailOut,
    permission=Permission.VIEW_MEASURES,
    modified=lambda reading: reading.last_modified,
)
def measure(measure_id: int) -> api_reads.MeasureReading:
    """One measure with its journal, newest first, and its indicators with their values."""
    return api_reads.measure(viewer(), measure_id, clock.today())


@bp.get(f"{COUNCIL}/meetings")
@operation(MeetingOut, many=True, permission=Permission.VIEW_MEETINGS)
def meetings() -> Page:
    """The council's EST meetings, held and coming, in time order."""
    return paginate(api_reads.meetings(viewer()), page_request(), *api_reads.MEETING_LOADING)


@bp.get(f"{COUNCIL}/actions")
@operation(ActionOut, many=True, permission=Permission.VIEW_MEETINGS)
def actions() -> Page:
    """The council's actions, soonest due first."""
    return paginate(api_reads.actions(viewer()), page_request(), *api_reads.ACTION_LOADING)


@bp.get(f"{COUNCIL}/notes")
@operation(NoteOut, many=True, permission=Permission.VIEW_NOTES, logged=True)
def notes() -> Page:
    """The shared situation notes, newest observation first: for police tokens only.

    The notes the municipality shares with the police; each page read is written to the
    council's audit log."""
    reader = _police()
    page = paginate(api_reads.notes(reader), page_request(), *api_reads.NOTE_LOADING)
    api_reads.record_notes_read(reader, len(page.items), clock.now())
    return page


@bp.get(f"{COUNCIL}/notes/<int:note_id>")
@operation(
    NoteOut,
    permission=Permission.VIEW_NOTES,
    modified=lambda note: note.updated_at,
    logged=True,
)
def note(note_id: int) -> SituationNote:
    """One shared situation note: for police tokens only.

    The read is written to the council's audit log, as when the police open it in the app."""
    return note_service.load_note_page(_police(), note_id, clock.now())


def _police() -> Viewer:
    """The viewer, if their reads of shared notes are audited (the police); else 403."""
    reader = viewer()
    if not policy.audits_reads(reader):
        raise Forbidden(_("Through the API, only the police read the shared situation notes."))
    return reader
