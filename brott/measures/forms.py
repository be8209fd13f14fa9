from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from brott.council_scope import council
from brott.forms import Form
from brott.models import STATUS_LABELS, TOOL_LABELS, MeasureStatus, MeasureTool
from brott.services import measures as service

STATUS_CHOICES = [SelectChoice(s.value, STATUS_LABELS[s]) for s in MeasureStatus]
ALL = SelectChoice("", _l("All"))
TOOL_CHOICES = [
    SelectChoice("", _l("None: status and journal only")),
    *(SelectChoice(t.value, TOOL_LABELS[t]) for t in MeasureTool),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def measure_choices(titles: list[tuple[int, str]]) -> list[SelectChoice]:
    """Choices for an optional link to a measure: "None" first, then by promise order."""
    return [SelectChoice("", _("None")), *(SelectChoice(str(i), title) for i, title in titles)]


class FilterForm(Form):
    """Filters of the measure list; read from the query string."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[ALL, *STATUS_CHOICES], default="")
    owner = SelectField(_l("Owner"), choices=[ALL], default="")
    category = SelectField(_l("Category"), choices=[ALL], default="")


class UpdateForm(Form):
    """Status and progress, with the comment that explains the change."""

    status = SelectField(_l("Status"), choices=STATUS_CHOICES)
    progress = IntegerField(
        _l("Progress (%)"),
        validators=[
            InputRequired(_l("Enter the progress as a percentage.")),
            NumberRange(0, 100, _l("Progress is given as a percentage, 0–100.")),
        ],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[
            DataRequired(_l("Write a comment that explains the change.")),
            Length(
                max=4000,
                message=_l("The comment may be at most %(limit)d characters.", limit=4000),
            ),
        ],
    )
    version = HiddenField()


class MeasureForm(Form):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter a title.")),
            Length(
                max=200, message=_l("The title may be at most %(limit)d characters.", limit=200)
            ),
        ],
    )
    category = StringField(
        _l("Category"),
        description=_l("Choose one of the council's categories or type a new one."),
        validators=[
            Length(
                max=service.MAX_CATEGORY,
                message=_l(
                    "The category may be at most %(limit)d characters.",
                    limit=service.MAX_CATEGORY,
                ),
            )
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[
            Length(
                max=10000,
                message=_l("The description may be at most %(limit)d characters.", limit=10000),
            )
        ],
    )
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    next_review_date = DateField(_l("Next review"), validators=[Optional()])
    tool = SelectField(
        _l("Working tool"),
        description=_l("What the measure's page leads to beside its status and journal."),
        choices=TOOL_CHOICES,
        default="",
    )
    owner_ids = MultiCheckboxField(_l("Owners"), coerce=int)
    partner_ids = MultiCheckboxField(_l("Partner organisations"), coerce=int)
    comment = TextAreaField(
        _l("Comment on the change"),
        validators=[
            Length(
                max=4000,
                message=_l("The comment may be at most %(limit)d characters.", limit=4000),
            )
        ],
    )
    version = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # the categories the list's filter offers, suggested as the user types
        self.category_suggestions = service.categories(council().id)
