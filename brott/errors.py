"""Domain errors that services raise, and the error pages users see."""

import logging
from collections.abc import Iterable, Iterator, Mapping

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from brott.extensions import db

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
    500: _l("Something went wrong"),
}

ERROR_TEXTS = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("You are not allowed to do this."),
    404: _l("What you are looking for does not exist, or you do not have access to it."),
    405: _l("This address does not accept that kind of request."),
    500: _l("An unexpected error occurred. Nothing was saved. Try again in a while."),
}


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        db.session.rollback()
        return _render(error.code or 500), error.code

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        log.exception("unhandled error", exc_info=error)
        return _render(InternalServerError.code), 500


def _render(code: int) -> str:
    code = code if code in ERROR_TITLES else 500
    return render_template(
        "errors/error.html",
        code=code,
        title=ERROR_TITLES[code],
        text=ERROR_TEXTS[code],
    )
