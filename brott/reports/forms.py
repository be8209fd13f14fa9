"""Forms of the staff side of residents' reports: the queue's filters and the changes made on a
report's page (status, public reply, internal comment, closing, reassigning).

The rules (what text is required, who to refer to, which report is the original) live in
services/report_handling; these forms carry what was typed and the version of the report
the page showed, and each has its own prefix, as they share one page.
"""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from brott.forms import Form
from brott.models import Place
from brott.models.reports import (
    CLOSE_REASON_LABELS,
    REPORT_STATUS_LABELS,
    CloseReason,
    ReportCategory,
    ReportStatus,
    ResponsibleBody,
)
from brott.services import report_queue
from brott.services.report_handling import REFERRAL_MAX, STAFF_STATUSES, TEXT_MAX

ALL_CHOICE = SelectChoice("", _l("All"))


def _at_most(limit: int) -> Length:
    return Length(max=limit, message=_l("Write at most %(n)d characters.", n=limit))


class QueueFilterForm(Form):
    """The queue's filters, read from the query string."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        default=report_queue.OPEN,
        choices=[
            SelectChoice(report_queue.OPEN, _l("Open (new, received, in progress)")),
            *(SelectChoice(s.value, REPORT_STATUS_LABELS[s]) for s in ReportStatus),
            SelectChoice(report_queue.ALL, _l("All")),
        ],
    )
    body = SelectField(_l("Body"), default="")
    category = SelectField(_l("Category"), default="")
    place = SelectField(_l("Place"), default="")
    q = StringField(
        _l("Search address and description"), validators=[_at_most(report_queue.SEARCH_MAX)]
    )
    start = DateField(_l("Reported from"), validators=[Optional()])
    end = DateField(_l("up to and including"), validators=[Optional()])
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(1, 100_000)], default=1)


def queue_filter_form(
    args,
    bodies: list[ResponsibleBody] | None,
    categories: list[ReportCategory],
    places: list[Place],
) -> QueueFilterForm:
    """The filter form with the council's choices; `bodies` None: no body filter (a body's
    staff see their own body's reports only)."""
    form = QueueFilterForm(args)
    form.body.choices = [
        ALL_CHOICE,
        SelectChoice(report_queue.WITHOUT_BODY, _l("Without a body")),
        *(SelectChoice(str(b.id), b.name) for b in bodies or []),
    ]
    form.category.choices = [ALL_CHOICE, *(SelectChoice(str(c.id), c.name) for c in categories)]
    form.place.choices = [ALL_CHOICE, *(SelectChoice(str(p.id), p.name) for p in places)]
    return form


def queue_filters(form: QueueFilterForm) -> report_queue.QueueFilters:
    """The filters a validated form describes; a field in error is left out."""

    def value(field) -> str:
        return "" if field.errors else (field.data or "")

    body = value(form.body)
    category, place = value(form.category), value(form.place)
    return report_queue.QueueFilters(
        status=value(form.status) or report_queue.OPEN,
        body_id=int(body) if body.isdigit() else None,
        without_body=body == report_queue.WITHOUT_BODY,
        category_id=int(category) if category.isdigit() else None,
        place_id=int(place) if place.isdigit() else None,
        text=value(form.q),
        start=None if form.start.errors else form.start.data,
        end=None if form.end.errors else form.end.data,
    )


class PeriodForm(Form):
    """The period of the safety marks, read from the query string."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Up to and including"), validators=[Optional()])


class StatusForm(Form):
    status = SelectField(
        _l("New status"),
        choices=[SelectChoice(s.value, REPORT_STATUS_LABELS[s]) for s in STAFF_STATUSES],
    )
    text = TextAreaField(
        _l("Public reply (optional)"),
        description=_l("The resident reads it on the tracking page and by e-mail."),
        validators=[_at_most(TEXT_MAX)],
    )
    version = HiddenField()


class ReplyForm(Form):
    text = TextAreaField(
        _l("Public reply"),
        description=_l(
            'The resident and everyone who added "me too" read it. No names of staff or '
            "of other people."
        ),
        validators=[_at_most(TEXT_MAX)],
    )
    version = HiddenField()


class CommentForm(Form):
    text = TextAreaField(
        _l("Internal comment"),
        description=_l("Only staff read it; never residents, e-mails or Open311."),
        validators=[_at_most(TEXT_MAX)],
    )
    version = HiddenField()  # a comment overwrites nothing: carried, not checked


class CloseForm(Form):
    reason = SelectField(
        _l("Why is it closed?"),
        choices=[SelectChoice(r.value, CLOSE_REASON_LABELS[r]) for r in CloseReason],
    )
    referral = StringField(
        _l("Who to turn to instead"),
        description=_l(
            "Only when it is not ours to fix, e.g. the Swedish Transport Administration."
        ),
        validators=[_at_most(REFERRAL_MAX)],
    )
    original_id = StringField(
        _l("Number of the original report"),
        description=_l("Only for a duplicate: its supporters and reporter follow the original."),
        validators=[_at_most(20)],
    )
    text = TextAreaField(
        _l("Public reply (optional)"),
        validators=[_at_most(TEXT_MAX)],
    )
    version = HiddenField()


class ReassignForm(Form):
    body_id = SelectField(_l("Hand over to"), coerce=str)
    text = TextAreaField(
        _l("Internal note (optional)"),
        description=_l("Why it goes there; only staff read it."),
        validators=[_at_most(TEXT_MAX)],
    )
    version = HiddenField()


# the forms of a report's page, by name: each is one section of the page and one POST route
PAGE_FORMS = {
    "status": StatusForm,
    "reply": ReplyForm,
    "comment": CommentForm,
    "close": CloseForm,
    "reassign": ReassignForm,
}


def page_form(name: str, bodies: list[ResponsibleBody], version: int | None = None):
    """The form `name` of a report's page: submitted (version None) or blank with
    `version`, the report's version the page shows."""
    cls = PAGE_FORMS[name]
    form = cls(prefix=name) if version is None else cls(formdata=None, prefix=name)
    if isinstance(form, ReassignForm):
        form.body_id.choices = [
            SelectChoice("", _l("Choose a body")),
            *(SelectChoice(str(b.id), b.name) for b in bodies),
        ]
    if version is not None:
        form.version.data = str(version)
    return form
