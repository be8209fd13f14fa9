from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired

ENABLE = "enable"  # switch the feed on, or replace its link with a new one
DISABLE = "disable"


class FeedForm(FlaskForm):
    """The buttons of the calendar page; each submits its own `operation`."""

    operation = StringField(
        validators=[
            InputRequired("Välj vad som ska göras med kalenderlänken."),
            AnyOf([ENABLE, DISABLE], message="Okänt val. Ladda om sidan och försök igen."),
        ]
    )
