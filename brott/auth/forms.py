from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "E-post",
        validators=[
            DataRequired("Ange din e-postadress."),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Lösenord", validators=[DataRequired("Ange ditt lösenord."), Length(max=200)]
    )
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only the CSRF token: for POST-only buttons such as logging out."""
