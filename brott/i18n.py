"""Language and time display: Swedish by default, English as a second language.

The language of a page is the user's saved preference, else the one chosen with the switch
in the page header (kept in the session), else the best match of the browser's
`Accept-Language`, else Swedish. E-mails are rendered in the recipient's language. Times are
shown in Europe/Stockholm whatever the language.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from flask import Flask, has_request_context, request, session
from flask_babel import force_locale, format_date, format_datetime, get_locale
from flask_login import current_user

from brott.extensions import babel

DEFAULT_LOCALE = "sv"
SUPPORTED_LOCALES = ("sv", "en")
# each language named in itself, so a reader finds their own whatever the page's language
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}
SESSION_KEY = "language"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["datetime"] = datetime_text
    app.jinja_env.filters["date"] = date_text
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES

    @app.context_processor
    def locale_globals() -> dict[str, str]:
        return {"current_locale": current_locale()}


def supported(code: str | None) -> str | None:
    """`code` if it names a language the app speaks (e.g. "en", "en-GB", "EN"), else None."""
    if not code:
        return None
    language = code.strip().replace("_", "-").split("-")[0].lower()
    return language if language in SUPPORTED_LOCALES else None


def select_locale() -> str:
    """The language of the current request (see the module's docstring)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if current_user and current_user.is_authenticated:
        saved = supported(getattr(current_user, "locale", None))
        if saved:
            return saved
    chosen = supported(session.get(SESSION_KEY))
    if chosen:
        return chosen
    try:
        best = request.accept_languages.best_match(SUPPORTED_LOCALES)
    except (ValueError, TypeError):  # a malformed header never breaks a page
        best = None
    return best or DEFAULT_LOCALE


def current_locale() -> str:
    """The language code of what is being rendered now."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


@contextmanager
def language(code: str | None) -> Iterator[None]:
    """Render in `code` (a recipient's language), or Swedish when it is not one we speak."""
    with force_locale(supported(code) or DEFAULT_LOCALE):
        yield


# Swedish writes dates the ISO way; English readers get the month spelled out, which no
# reader can mistake for a month-first date
DATE_FORMATS = {"sv": "yyyy-MM-dd", "en": "d MMM yyyy"}


def datetime_text(value: datetime | None, fmt: str | None = None) -> str:
    """An instant as the reader's language writes it, in Stockholm time (also in PDFs)."""
    # format_datetime converts aware UTC values to BABEL_DEFAULT_TIMEZONE
    if value is None:
        return ""
    return format_datetime(value, fmt or DATE_FORMATS[current_locale()] + " HH:mm")


def date_text(value: date | None, fmt: str | None = None) -> str:
    """A day as the reader's language writes it (also in PDFs)."""
    return "" if value is None else format_date(value, fmt or DATE_FORMATS[current_locale()])
