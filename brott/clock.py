"""The current time. Tests and the scheduler may set `NOW` (a callable) in the app config."""

from datetime import datetime

from flask import current_app, has_app_context

from brott.models.base import utcnow


def now() -> datetime:
    """The current instant, aware UTC."""
    if has_app_context():
        override = current_app.config.get("NOW")
        if override is not None:
            return override()
    return utcnow()
