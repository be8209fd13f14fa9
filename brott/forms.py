"""The base of every form in the app (a structure test holds every form to it).

On top of Flask-WTF's FlaskForm it
- reads only the submitted form fields: Flask-WTF would also merge uploaded files (a file
  part named like a text field then reaches the validators as a file object) and read a
  JSON body as form data (where a number or a list is not the text a field expects). No form
  of the app takes files or JSON, so both are ignored;
- refuses a line break in a single-line field (a title with a CR/LF would otherwise be
  stored and later break a calendar file or an e-mail header), keeping what was typed;
- refuses dates outside FIRST_YEAR–LAST_YEAR, so that no date ever comes near the limits of
  Python's date type when it is shifted by a day or converted to UTC;
- refuses numbers that are not finite, and integers larger than the database holds.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # the "not given" marker of FlaskForm's formdata
from wtforms import (
    DateTimeField,
    DecimalField,
    Field,
    FloatField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_INTEGER = 2**31 - 1  # PostgreSQL's `integer`

Check = Callable[[Any, Field], None]


def single_line(form: Any, field: Field) -> None:
    if isinstance(field.data, str) and ("\n" in field.data or "\r" in field.data):
        raise ValidationError(_("Write this on one line."))


def sensible_year(form: Any, field: Field) -> None:
    if isinstance(field.data, date) and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _(
                "Enter a date between the years %(first)d and %(last)d.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )


def finite_number(form: Any, field: Field) -> None:
    data = field.data
    if (isinstance(data, Decimal) and not data.is_finite()) or (
        isinstance(data, float) and not math.isfinite(data)
    ):
        raise ValidationError(_("Enter a number."))


def storable_integer(form: Any, field: Field) -> None:
    if isinstance(field.data, int) and abs(field.data) > MAX_INTEGER:
        raise ValidationError(_("The number is too large."))


def checks_for(field: Field) -> list[Check]:
    """The checks every field of `field`'s kind gets, after its own validators."""
    if isinstance(field, StringField) and not isinstance(field, TextAreaField):
        return [single_line]
    if isinstance(field, DateTimeField):  # DateField and DateTimeLocalField too
        return [sensible_year]
    if isinstance(field, FloatField | DecimalField):
        return [finite_number]
    if isinstance(field, IntegerField):
        return [storable_integer]
    return []


class Form(FlaskForm):
    """FlaskForm reading only `request.form`, with the checks of `checks_for` on each field."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if formdata is _Auto:
                submitted = form.is_submitted() and request.form
                return request.form if submitted else None
            return formdata

    def validate(self, extra_validators: Mapping[str, Sequence[Check]] | None = None) -> bool:
        extra: dict[str, list[Check]] = {
            name: list(checks) for name, checks in (extra_validators or {}).items()
        }
        for name, field in self._fields.items():
            extra.setdefault(name, []).extend(checks_for(field))
        return super().validate(extra_validators=extra)


class DegreesField(FloatField):
    """A latitude or longitude in degrees, as people type it: a decimal comma is read as a
    point (Swedish keyboards and spreadsheets write 60,4858)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(valuelist[0].strip().replace(",", "."))
        except ValueError:
            self.data = None
            raise ValueError(_("Enter degrees as a number, e.g. 60.4858.")) from None
