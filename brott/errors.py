"""Domain errors that services raise, and the error pages users see.

A database out of reach is answered with 503 and a plain page that needs nothing stored;
a server error is logged with its traceback and the request id that its page shows. Requests
under a prefix that registered an answer of its own (the JSON API) get that answer instead of
a page, whatever the error.
"""

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from brott.extensions import db, login_manager
from brott.observability import request_id

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule was broken; the messages are safe to show to the user.

    `DomainError(message, field=None)` carries one message; `field` names the form field it
    belongs to, when there is one. `DomainError.from_errors({...})` carries several at once:
    field name → messages, with None for messages about the form as a whole. Either way
    `field_errors` yields every (field, message) pair, and `errors` holds them as a dict.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        errors: Mapping[str | None, Iterable[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors: dict[str | None, list[str]] = (
            {field: [message]}
            if errors is None
            else {name: list(messages) for name, messages in errors.items()}
        )

    @classmethod
    def from_errors(cls, errors: Mapping[str | None, Iterable[str]]) -> "DomainError":
        """One error carrying several messages, e.g. `{"title": [...], None: [...]}`.

        `message` joins all messages (for places that show a single text, such as a flash);
        `field` is the field when every message belongs to the same one, else None.
        """
        kept = {name: list(messages) for name, messages in errors.items()}
        kept = {name: messages for name, messages in kept.items() if messages}
        if not kept:
            raise ValueError("DomainError.from_errors needs at least one message")
        message = " ".join(str(m) for messages in kept.values() for m in messages)
        field = next(iter(kept)) if len(kept) == 1 else None
        return cls(message, field, errors=kept)

    @property
    def field_errors(self) -> Iterator[tuple[str | None, str]]:
        """Every (field, message) pair; field is None for a form-level message."""
        for name, messages in self.errors.items():
            for message in messages:
                yield name, message


class ConflictError(DomainError):
    """Someone else saved the object after the user loaded it."""

    def __init__(self, message: str, seen_version: int) -> None:
        super().__init__(message)
        self.seen_version = seen_version


def show_on_form(form, error: DomainError) -> None:
    """Undo the failed unit of work and show each message on its field, or atop the form."""
    db.session.rollback()
    for name, message in error.field_errors:
        target = form[name] if name and name in form else None
        if target is None:
            form.form_errors.append(message)
        elif isinstance(target.errors, list):
            target.errors.append(message)
        else:  # a field that was never validated still has the class default, a tuple
            target.errors = [*target.errors, message]


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Too much data"),
    500: _l("Something went wrong"),
    503: _l("The service is unavailable"),
}

ERROR_TEXTS = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("You are not allowed to do this."),
    404: _l("What you are looking for does not exist, or you do not have access to it."),
    405: _l("This address does not accept that kind of request."),
    413: _l(
        "What you sent is larger than the service accepts. Nothing was saved. "
        "Shorten the text and try again."
    ),
    500: _l("An unexpected error occurred. Nothing was saved. Try again in a while."),
    503: _l(
        "The service cannot reach its database right now. Nothing was saved. "
        "Try again in a few minutes."
    ),
}

# server-side failures: their page shows the request id, which finds the log lines
WITH_REFERENCE = {500, 503}
RETRY_AFTER_SECONDS = 30

ErrorAnswer = Callable[[HTTPException], ResponseReturnValue]
ERROR_ANSWERS = "brott.error_answers"  # app.extensions: URL prefix → its ErrorAnswer


def answer_errors_under(app: App, prefix: str, answer: ErrorAnswer) -> None:
    """Answer every error of a request under `prefix` (a 404 of an unknown path, a 405, a
    server error, the database out of reach) with `answer`, e.g. an API's JSON shape, instead
    of the site's error pages."""
    app.extensions.setdefault(ERROR_ANSWERS, {})[prefix.rstrip("/")] = answer


def error_answer() -> ErrorAnswer | None:
    """The answer registered for this request's path, if any (see `answer_errors_under`)."""
    if not has_request_context():
        return None
    for prefix, answer in current_app.extensions.get(ERROR_ANSWERS, {}).items():
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return answer
    return None


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        # a failure outside the view (an after_request hook) reaches here as a plain 500
        original = getattr(error, "original_exception", None)
        if original is not None and database_unavailable(original):
            return _unavailable(original)
        _end_unit_of_work()
        answer = error_answer()
        return answer(error) if answer is not None else _error_page(error.code or 500)

    @app.errorhandler(sa_exc.DBAPIError)
    def handle_database_error(error: sa_exc.DBAPIError):
        if not database_unavailable(error):
            return handle_unexpected(error)
        return _unavailable(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.error("unhandled error (request %s)", request_id(), exc_info=error)
        _end_unit_of_work()
        answer = error_answer()
        return answer(InternalServerError()) if answer is not None else _error_page(500)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is out of reach (or refused work for now).

    OperationalError is what the drivers raise when a connection cannot be made or was lost
    (and, on PostgreSQL, for an administrator's shutdown or a statement given up); any other
    driver error counts when SQLAlchemy invalidated the connection it came from.
    """
    return isinstance(error, sa_exc.OperationalError) or (
        isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    )


def roll_back_safely() -> bool:
    """Undo the failed unit of work; False when even that failed (the database is gone).

    Then the session is discarded with its connection invalidated, so the pool opens a
    fresh one next time instead of handing out a dead one.
    """
    try:
        db.session.rollback()
        return True
    except Exception as error:
        log.warning("rollback failed (request %s): %s", request_id(), _first_line(error))
        _discard_session()
        return False


def _discard_session() -> None:
    with suppress(Exception):
        db.session().invalidate()  # the scoped proxy does not offer invalidate
    with suppress(Exception):
        db.session.remove()


def _end_unit_of_work() -> None:
    if not roll_back_safely():
        _forget_database_state()


def _forget_database_state() -> None:
    """Leave nothing of this request's database work behind, without touching the database.

    The session is discarded (see `roll_back_safely`) and the request carries on as an
    anonymous visitor outside any council, so that the error page's own rendering (the
    header, the language choice) asks nothing of the database.
    """
    _discard_session()
    # Flask-Login keeps the request's user in g._login_user; set it so nothing loads it now
    g._login_user = login_manager.anonymous_user()
    g.viewer = None
    g.council = None


def _unavailable(error: BaseException) -> ResponseReturnValue:
    """The 503 answer: a plain page, and nothing of the broken connection kept."""
    reason = getattr(error, "orig", None) or error
    log.warning("database unavailable (request %s): %s", request_id(), _first_line(reason))
    _forget_database_state()
    answer = error_answer()
    if answer is not None:
        return answer(ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS))
    return _render_plain(503), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _error_page(code: int) -> ResponseReturnValue:
    """The error page in the site's layout; the plain one when the layout itself fails."""
    try:
        return _render(code), code, {}
    except Exception as failure:  # the header reads the user and the council
        if database_unavailable(failure):
            return _unavailable(failure)
        log.exception("the error page could not be shown (request %s)", request_id())
        _forget_database_state()
        return _render_plain(code), code, {}


def _render(code: int) -> str:
    code = code if code in ERROR_TITLES else 500
    return render_template(
        "errors/error.html",
        code=code,
        title=ERROR_TITLES[code],
        text=ERROR_TEXTS[code],
        reference=request_id() if code in WITH_REFERENCE else None,
    )


def _render_plain(code: int) -> str:
    """The error page without the site header: nothing on it needs the database."""
    code = code if code in ERROR_TITLES else 500
    try:
        return render_template(
            "errors/plain.html",
            code=code,
            title=ERROR_TITLES[code],
            text=ERROR_TEXTS[code],
            reference=request_id() if code in WITH_REFERENCE else None,
        )
    except Exception:  # the last resort must answer whatever broke
        log.exception("the plain error page failed (request %s)", request_id())
        return f"{code} - {request_id()}"


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
