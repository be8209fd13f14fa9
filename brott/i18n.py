"""Language and time display: Swedish by default, dates shown in Europe/Stockholm."""

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime

from brott.extensions import babel
from brott.models import ACTION_STATUS_LABELS, ROLE_LABELS, STATUS_LABELS

SUPPORTED_LOCALES = ("sv",)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=lambda: "sv")
    app.jinja_env.filters["datetime"] = _format_datetime
    app.jinja_env.filters["date"] = _format_date
    app.jinja_env.globals["STATUS_LABELS"] = STATUS_LABELS
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["ACTION_STATUS_LABELS"] = ACTION_STATUS_LABELS


def _format_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    # format_datetime converts aware UTC values to BABEL_DEFAULT_TIMEZONE
    return "" if value is None else format_datetime(value, fmt)


def _format_date(value: date | None, fmt: str = "yyyy-MM-dd") -> str:
    return "" if value is None else format_date(value, fmt)
