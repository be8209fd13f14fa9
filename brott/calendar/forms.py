from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired

ENABLE = "enable"  # switch the feed on, or replace its link with a new one
DISABLE = "disable"


class FeedForm(FlaskForm):
    """The buttons of the calendar page; each submits its own `operation`."""

    operation = StringField(
        validators=[
            InputRequired(_l("Choose what to do with the calendar link.")),
            AnyOf(
                [ENABLE, DISABLE],
                message=_l("Unknown choice. Reload the page and try again."),
            ),
        ]
    )
