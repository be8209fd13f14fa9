"""The current time. Tests and the scheduler may set `NOW` (a callable) in the app config."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from brott.models.base import utcnow

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now() -> datetime:
    """The current instant, aware UTC."""
    if has_app_context():
        override = current_app.config.get("NOW")
        if override is not None:
            return override()
    return utcnow()


def today() -> date:
    """Today's date in Stockholm."""
    return now().astimezone(STOCKHOLM).date()
