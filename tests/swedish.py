"""What a message reads in Swedish, as the app shows it: tests of new texts compare with the
catalog's translation (or the English message id, while a translation is still to come)."""

from flask import Flask
from flask_babel import gettext, ngettext


def sv(app: Flask, message: str, **values) -> str:
    """`message` (an English message id) as a Swedish page shows it."""
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        return gettext(message, **values)


def sv_plural(app: Flask, singular: str, plural: str, num: int, **values) -> str:
    """A plural message as a Swedish page shows it."""
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        return ngettext(singular, plural, num, **values)
