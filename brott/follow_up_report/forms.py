from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

from brott.errors import DomainError
from brott.forms import Form
from brott.services import follow_up_report as service


class PeriodForm(Form):
    """The report's period, read from the query string (`fran`, `till`)."""

    class Meta:
        csrf = False

    fran = DateField(_l("From"), validators=[InputRequired(_l("Enter the first day."))])
    till = DateField(
        _l("Up to and including"), validators=[InputRequired(_l("Enter the last day."))]
    )

    def validate_till(self, field: DateField) -> None:
        if self.fran.data is None or field.data is None:
            return
        try:
            service.check_period(self.fran.data, field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None

    @property
    def period(self) -> service.Period:
        """The period of a validated form."""
        assert self.fran.data is not None and self.till.data is not None
        return service.Period(self.fran.data, self.till.data)
