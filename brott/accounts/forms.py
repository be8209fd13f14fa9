from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from brott.forms import Form
from brott.services.passwords import MAX_LENGTH, MIN_LENGTH

# the rule itself (length, guessability, name and address) is checked by services/passwords;
# the form refuses only an empty or overlong field
_TOO_LONG = _l("The password may have at most %(max_length)d characters.", max_length=MAX_LENGTH)
_NEW_PASSWORD_HINT = _l(
    "At least %(min_length)d characters. A few words that do not belong together are easy to "
    "remember and hard to guess.",
    min_length=MIN_LENGTH,
)


def _new_password() -> PasswordField:
    return PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(max=MAX_LENGTH, message=_TOO_LONG),
        ],
        description=_NEW_PASSWORD_HINT,
    )


def _confirmation() -> PasswordField:
    return PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter a valid email address.")),
            Length(max=254),
        ],
    )


class SetPasswordForm(Form):
    """Choosing a password from an e-mailed link; after an invitation also one's name."""

    name = StringField(
        _l("Your name"),
        validators=[
            Optional(),
            Length(max=200, message=_l("The name may be at most %(limit)d characters.", limit=200)),
        ],
    )
    password = _new_password()
    confirm = _confirmation()


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your current password.")),
            Length(max=MAX_LENGTH, message=_TOO_LONG),
        ],
    )
    password = _new_password()
    confirm = _confirmation()


class AcceptInvitationForm(Form):
    """Accepting an invitation: someone not logged in confirms with the account's password."""

    password = PasswordField(
        _l("Your password"), validators=[Length(max=MAX_LENGTH, message=_TOO_LONG)]
    )
