"""What every answer of the API shares: the JSON error shape, pages of a list, and
conditional answers (an ETag from the content; a client that sends it back in
If-None-Match gets 304 Not Modified).

An error, whatever its cause (a bad token, a page out of range, a route that does not exist,
a server error, the database out of reach), is answered as
`{"error": {"status": 404, "code": "not_found", "message": "…"}}` in the request's language
(Accept-Language), never as an HTML page: `errors.answer_errors_under` routes it here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from marshmallow import Schema, ValidationError
from sqlalchemy import Select, func
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, Unauthorized
from werkzeug.http import remove_entity_headers

from brott.api.schemas import MAX_PER_PAGE, PageQuery
from brott.extensions import db
from brott.observability import request_id

REALM = "brott"  # of the WWW-Authenticate challenge
CACHE_CONTROL = "private, no-cache"  # a client may keep an answer, and must revalidate it

# what an error says when nothing more specific is known
MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("This needs a valid API token, sent as “Authorization: Bearer <token>”."),
    403: _l("Your API token may not read this."),
    404: _l("Nothing is found at this address, or your API token may not read it."),
    405: _l("This address does not accept that method; the API only reads (GET)."),
    413: _l("The request is larger than the API accepts."),
    429: _l("Too many attempts with a wrong token. Try again later."),
    500: _l("An unexpected error occurred. Try again later."),
    503: _l("The service is unavailable right now. Try again in a few minutes."),
}
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class TokenRefused(Unauthorized):
    """401 with the Bearer challenge of RFC 6750, naming the error when a token was sent."""

    def __init__(self, message: str, *, invalid_token: bool) -> None:
        super().__init__(message)
        error = ', error="invalid_token"' if invalid_token else ""
        self.challenge = f'Bearer realm="{REALM}"{error}'

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), ("WWW-Authenticate", self.challenge)]


def error_response(error: HTTPException) -> Response:
    """The API's answer to `error`, in the error shape."""
    code = error.code or 500
    explained = error.description != type(error).description  # raised with a message
    message = error.description if explained else MESSAGES.get(code, MESSAGES[400])
    detail: dict[str, Any] = {
        "status": code,
        "code": error.name.lower().replace(" ", "_").replace("'", ""),
        "message": str(message),
    }
    if code >= 500:
        detail["reference"] = request_id()
    response = jsonify({"error": detail})
    response.status_code = code
    for name, value in error.get_headers():
        if name in KEPT_HEADERS:
            response.headers[name] = value
    if code == 401 and "WWW-Authenticate" not in response.headers:
        response.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
    return response


# --- pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int


def page_request() -> PageRequest:
    """The page the query string asks for; 400 with what is wrong."""
    try:
        loaded = PageQuery().load(request.args)
    except ValidationError as error:
        messages = error.normalized_messages()
        if "page" in messages:
            raise BadRequest(_("The page number must be a whole number, 1 or more.")) from None
        raise BadRequest(
            _(
                "The page size (per_page) must be a whole number from 1 to %(max)d.",
                max=MAX_PER_PAGE,
            )
        ) from None
    return PageRequest(loaded["page"], loaded["per_page"])


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def paginate(stmt: Select, asked: PageRequest, *loading: ORMOption) -> Page:
    """The asked page of the statement's rows, with `loading` for them; 404 past the last
    page. Two statements (and the loading's), whatever the page or the list's length."""
    total = db.session.scalar(db.select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = _checked(asked, total or 0)
    rows = db.session.scalars(
        stmt.options(*loading).offset((asked.page - 1) * asked.per_page).limit(asked.per_page)
    )
    return Page(list(rows.unique()), page.page, page.per_page, page.total)


def paginate_list(items: Sequence[Any], asked: PageRequest) -> Page:
    """The asked page of a list already read (a user's few councils); 404 past the last."""
    page = _checked(asked, len(items))
    start = (asked.page - 1) * asked.per_page
    return Page(items[start : start + asked.per_page], page.page, page.per_page, page.total)


def _checked(asked: PageRequest, total: int) -> Page:
    page = Page((), asked.page, asked.per_page, total)
    if asked.page > page.pages:
        raise NotFound(
            ngettext(
                "There is no page %(page)d: the list has %(num)d page.",
                "There is no page %(page)d: the list has %(num)d pages.",
                page.pages,
                page=asked.page,
            )
        )
    return page


def page_body(page: Page, schema: type[Schema]) -> dict[str, Any]:
    """A page of rows as the API gives it: the rows, the numbers, links to the others."""

    def link(number: int) -> str:
        args = {**(request.view_args or {}), "page": number, "per_page": page.per_page}
        return url_for(request.endpoint or "", **args)

    return {
        "data": schema(many=True).dump(page.items),
        "meta": {
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
        },
        "links": {
            "self": link(page.page),
            "first": link(1),
            "last": link(page.pages),
            "prev": link(page.page - 1) if page.page > 1 else None,
            "next": link(page.page + 1) if page.page < page.pages else None,
        },
    }


# --- answers ---------------------------------------------------------------------------------


def answer(body: dict[str, Any], last_modified: datetime | None = None) -> Response:
    """The JSON answer, with an ETag of its content; 304 when the client has it already
    (If-None-Match). Last-Modified is for information: the ETag alone decides."""
    response = jsonify(body)
    response.add_etag()
    etag, _weak = response.get_etag()
    if etag is not None and request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
        remove_entity_headers(response.headers)
        response.set_etag(etag)
    response.last_modified = last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Authorization")
    return response
