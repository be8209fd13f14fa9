"""Hostile or malformed input is answered with a 4xx page before it reaches a view.

Two kinds of input would otherwise travel as far as the database and fail there, as a 500:

- A number larger than the database's `integer` (PostgreSQL's holds up to 2^31 - 1) as an
  id. The `int` URL converter is bounded, so `/insatser/2147483648` matches no route (404);
  an id in the query string or form (a field named `…_id`, `…_ids` or `id`) that reads as a
  number the database cannot hold is a 404 as well: it names nothing. The same number as
  the version an edit form was loaded with is a 400: no form ever held it.
- A NUL byte, which PostgreSQL refuses in any text, the other C0 control characters, which
  no one types, and U+FFFE, U+FFFF and lone surrogates, which XML cannot carry. In the path
  they are refused outright; in the query string and form values TAB, LF and CR stay
  allowed (a text area sends line breaks), anything else is a 400 with a page that says
  what is wrong.

Forms read only the form fields (never uploaded files or a JSON body) through the base form
in brott/forms.py, which also refuses line breaks in single-line fields, dates in years no
note or meeting can have and numbers that are not finite.
"""

import builtins
import re

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError

from brott.errors import ERROR_TITLES, error_answer

MAX_ID = 2**31 - 1  # PostgreSQL's `integer`, the type of every id column
MAX_ID_DIGITS = len(str(MAX_ID))
# characters XML 1.0 cannot carry and nobody types: lone surrogates and the two
# noncharacters U+FFFE and U+FFFF (a text stored with them breaks every XML answer)
NOT_TEXT = "\ud800-\udfff\ufffe\uffff"
# C0 controls and DEL: refused everywhere in the path
PATH_CONTROL = re.compile(rf"[\x00-\x1f\x7f{NOT_TEXT}]")
# the same, except TAB, LF and CR, which a text area legitimately sends
VALUE_CONTROL = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{NOT_TEXT}]")
ID_NAME = re.compile(r"(^|_)ids?$")  # id, meeting_id, owner_ids …
VERSION_NAME = re.compile(r"(^|[_-])version$")  # the version an edit form was loaded with


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` that matches only numbers an id column can hold; larger ones are a 404."""

    def __init__(  # werkzeug's parameter names: a rule may pass them, e.g. <int(max=9):n>
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        bounded = MAX_ID if max is None else builtins.min(max, MAX_ID)
        super().__init__(map, fixed_digits, min, bounded, signed)

    def to_python(self, value: str) -> int:
        if len(value.lstrip("-")) > MAX_ID_DIGITS:  # spare int() thousands of digits
            raise ValidationError()
        return super().to_python(value)


def is_id(text: str | None) -> bool:
    """Whether `text` is an id a row can have: ASCII digits ("²" is a digit to str.isdigit,
    not to int()), at most MAX_ID."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > MAX_ID_DIGITS:
        return False
    return int(text) <= MAX_ID


def init_app(app: Flask) -> None:
    """Bound the `int` URL converter and install the request check."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    # first of all before-request hooks: the council lookup, the login and the CSRF check
    # must not see what is refused here
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_hostile_input)


def refuse_hostile_input():
    """400 for control characters, 404 for ids no row can have, 400 for such a version;
    None lets the request on."""
    if PATH_CONTROL.search(request.path) or _has_control_characters(request.args):
        return _refused()
    if _has_control_characters(request.form):
        return _refused()
    for values in (request.args, request.form):
        if _impossible_numbers(values, ID_NAME):
            raise NotFound()
        if _impossible_numbers(values, VERSION_NAME):
            raise BadRequest()
    return None


def _has_control_characters(values: MultiDict) -> bool:
    return any(
        VALUE_CONTROL.search(name) or VALUE_CONTROL.search(value)
        for name, value in values.items(multi=True)
    )


def _impossible_numbers(values: MultiDict, names: re.Pattern) -> bool:
    return any(
        _impossible_number(value) for name, value in values.items(multi=True) if names.search(name)
    )


def _impossible_number(text: str) -> bool:
    """Whether int() reads `text` as a number no integer column holds, or `text` passes an
    isdigit() test although int() cannot read it ("²")."""
    try:
        number = int(text)  # also reads signs, spaces, underscores and non-ASCII digits
    except ValueError:
        return text.isdigit()
    return not -MAX_ID - 1 <= number <= MAX_ID


def _refused() -> ResponseReturnValue:
    text = _(
        "The address or the form contains characters that cannot be used, such as "
        "control characters. Remove them and try again."
    )
    answer = error_answer()  # e.g. the API's JSON shape
    if answer is not None:
        return answer(BadRequest(text))
    page = render_template(
        "errors/error.html", code=400, title=ERROR_TITLES[400], text=text, reference=None
    )
    return page, 400
