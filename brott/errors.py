"""Domain errors that services raise, and the Swedish error pages users see."""

import logging

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from brott.extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule was broken; the message is safe to show to the user.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """Someone else saved the object after the user loaded it."""

    def __init__(self, message: str, seen_version: int) -> None:
        super().__init__(message)
        self.seen_version = seen_version


def show_on_form(form, error: DomainError) -> None:
    """Undo the failed unit of work and show the message on its field, or atop the form."""
    db.session.rollback()
    target = getattr(form, error.field, None) if error.field else None
    (target.errors if target is not None else form.form_errors).append(error.message)


ERROR_TITLES = {
    400: "Felaktig begäran",
    403: "Åtkomst nekad",
    404: "Sidan finns inte",
    405: "Metoden är inte tillåten",
    500: "Något gick fel",
}

ERROR_TEXTS = {
    400: "Begäran kunde inte tolkas. Ladda om sidan och försök igen.",
    403: "Du har inte behörighet att göra det här.",
    404: "Det du letar efter finns inte, eller så har du inte tillgång till det.",
    405: "Den här adressen tar inte emot den sortens begäran.",
    500: "Ett oväntat fel inträffade. Ingenting sparades. Försök igen om en stund.",
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
