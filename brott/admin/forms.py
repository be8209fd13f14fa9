from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from brott.models import ROLE_LABELS, Role

ROLE_CHOICES = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]


class NewMemberForm(FlaskForm):
    email = EmailField(
        "E-post",
        validators=[
            DataRequired("Ange en e-postadress."),
            Email("Ange en giltig e-postadress."),
            Length(max=254),
        ],
    )
    name = StringField(
        "Namn",
        validators=[
            DataRequired("Ange ett namn."),
            Length(max=200, message="Namnet får vara högst 200 tecken."),
        ],
    )
    password = PasswordField(
        "Lösenord (för ett nytt konto)",
        validators=[Optional(), Length(max=200)],
        description="Behövs bara om personen inte redan har ett konto.",
    )
    role = SelectField("Roll", choices=ROLE_CHOICES)


class MembershipForm(FlaskForm):
    role = SelectField("Roll", choices=ROLE_CHOICES)
    active = BooleanField("Aktiv")


class PartnerForm(FlaskForm):
    name = StringField(
        "Namn",
        validators=[
            DataRequired("Ange organisationens namn."),
            Length(max=200, message="Namnet får vara högst 200 tecken."),
        ],
    )
    kind = StringField(
        "Typ", validators=[Length(max=80, message="Typen får vara högst 80 tecken.")]
    )
