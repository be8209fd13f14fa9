from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired

from brott.forms import Form

ENABLE = "enable"  # switch the feed on, or replace its link with a new one
DISABLE = "disable"


class FeedForm(Form):
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
