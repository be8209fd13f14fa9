"""The form of the account page of API tokens."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from brott.forms import Form
from brott.services.api_tokens import NAME_MAX


class TokenForm(Form):
    """A new token: its name (services/api_tokens checks it)."""

    name = StringField(
        _l("Name"),
        description=_l(
            "What the token is for, e.g. the name of the program or script that uses it "
            "(at most %(n)d characters).",
            n=NAME_MAX,
        ),
        render_kw={"maxlength": NAME_MAX},
    )
