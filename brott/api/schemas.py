"""The API's answers and query parameters as marshmallow schemas: they turn the models into
JSON, read the query string, and are what the OpenAPI document (api/openapi.py) describes.

Values are the stored codes (a status is "ongoing", not its label in some language), times
are ISO 8601 in UTC, dates ISO dates. People are named, never given with an e-mail address.
"""

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from brott import clock
from brott.models import ActionOrigin, ActionStatus, MeasureStatus, MeetingStatus, Role
from brott.models.indicators import IndicatorDirection, IndicatorPeriod, IndicatorSource
from brott.models.notes import NoteSource, Visibility
from brott.services import actions as action_service
from brott.services.api_reads import MeasureReading

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


class Out(Schema):
    """An object of an answer: every field is always there, null where it says so."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.required = not field_obj.metadata.get("optional", False)


def _code(enum_class: type, **kwargs: Any) -> fields.Enum:
    """A stored code: the value of one of the enum's members."""
    return fields.Enum(enum_class, by_value=True, **kwargs)


class Named(Out):
    name = fields.Str()


def _name(**kwargs: Any) -> fields.Pluck:
    """Something named (a person, a place, a partner) by its name."""
    return fields.Pluck(Named, "name", **kwargs)


# --- the query string ------------------------------------------------------------------------


class PageQuery(Schema):
    """Which page of a list: `page` from 1, `per_page` rows (at most MAX_PER_PAGE)."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Int(
        load_default=1,
        validate=validate.Range(min=1),
        metadata={"description": "The page, from 1."},
    )
    per_page = fields.Int(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Rows per page, at most {MAX_PER_PAGE}."},
    )


# --- lists -----------------------------------------------------------------------------------


class PageMeta(Out):
    page = fields.Int(metadata={"minimum": 1})
    per_page = fields.Int(metadata={"minimum": 1, "maximum": MAX_PER_PAGE})
    total = fields.Int(metadata={"minimum": 0, "description": "Rows in the whole list."})
    pages = fields.Int(metadata={"minimum": 1})


class PageLinks(Out):
    self = fields.Str()
    first = fields.Str()
    last = fields.Str()
    prev = fields.Str(allow_none=True)
    next = fields.Str(allow_none=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The schema of a page of `item` rows, named `name` in the document."""
    return Schema.from_dict(
        {
            "data": fields.List(fields.Nested(item), required=True),
            "meta": fields.Nested(PageMeta, required=True),
            "links": fields.Nested(PageLinks, required=True),
        },
        name=name,
    )


# --- the objects -----------------------------------------------------------------------------


class CouncilOut(Out):
    """A council the token's user is a member of, and their role in it."""

    slug = fields.Str(attribute="council.slug", metadata={"description": "Names it in URLs."})
    name = fields.Str(attribute="council.name")
    municipality = fields.Str(attribute="council.municipality")
    role = _code(Role)


class PromiseOut(Out):
    """A citizen promise of the council and its local police area."""

    id = fields.Int()
    title = fields.Str()
    goal = fields.Str()
    municipality = fields.Str()
    police_area = fields.Str()
    period_start = fields.Date()
    period_end = fields.Date()
    signed_on = fields.Date(allow_none=True)
    chair_signatory = fields.Str()
    police_signatory = fields.Str()


class MeasureOut(Out):
    """A measure of a promise: its status and progress, owners and partners."""

    id = fields.Int()
    number = fields.Int(allow_none=True)
    title = fields.Str()
    description = fields.Str()
    category = fields.Str()
    status = _code(MeasureStatus)
    progress = fields.Int(metadata={"minimum": 0, "maximum": 100, "description": "Per cent."})
    promise_id = fields.Int(allow_none=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    next_review_date = fields.Date(allow_none=True)
    owners = _name(many=True)
    partners = _name(many=True)
    updated_at = fields.DateTime()


class JournalEntryOut(Out):
    """One entry of a measure's journal: a status or progress update, or other changes."""

    id = fields.Int()
    created_at = fields.DateTime()
    author = _name(allow_none=True)
    old_status = _code(MeasureStatus, allow_none=True)
    new_status = _code(MeasureStatus, allow_none=True)
    old_progress = fields.Int(allow_none=True)
    new_progress = fields.Int(allow_none=True)
    comment = fields.Str()
    changes = fields.Method(
        "changed_fields",
        metadata={
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Other fields changed: field → [before, after], as text.",
        },
    )

    def changed_fields(self, entry: Any) -> dict[str, list[str]]:
        return {
            str(name): ["" if value is None else str(value) for value in values]
            for name, values in (entry.changes or {}).items()
            if isinstance(values, list)
        }


class IndicatorValueOut(Out):
    date = fields.Date(attribute="on_date")
    value = fields.Float()
    comment = fields.Str()


class IndicatorOut(Out):
    """An indicator of a measure with its values: entered by hand, or derived period by
    period from the measure's records (the source says which)."""

    id = fields.Int(attribute="indicator.id")
    name = fields.Str(attribute="indicator.name")
    unit = fields.Str(attribute="indicator.unit")
    baseline = fields.Float(attribute="indicator.baseline")
    target = fields.Float(attribute="indicator.target")
    direction = _code(IndicatorDirection, attribute="indicator.direction")
    period = _code(IndicatorPeriod, attribute="indicator.period")
    source = _code(IndicatorSource, attribute="indicator.source")
    drives_progress = fields.Bool(attribute="indicator.drives_progress")
    values = fields.List(fields.Nested(IndicatorValueOut))


class MeasureDetailOut(MeasureOut):
    """A measure with its journal, newest first, and its indicators with their values."""

    journal = fields.List(fields.Nested(JournalEntryOut))
    indicators = fields.List(fields.Nested(IndicatorOut))

    def get_attribute(self, obj: MeasureReading, attr: str, default: Any) -> Any:
        if attr == "indicators":
            return obj.indicators
        if attr == "journal":
            return obj.measure.updates
        return super().get_attribute(obj.measure, attr, default)


class MeetingOut(Out):
    """An EST meeting, held or coming: when, where, the agenda and the situation picture."""

    id = fields.Int()
    series_id = fields.Int()
    title = fields.Str(attribute="series.title")
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    status = _code(MeetingStatus)
    moved = fields.Bool()
    location = fields.Method("location_of", metadata={"type": "string"})
    agenda = fields.Str()
    situation_summary = fields.Str()
    updated_at = fields.DateTime()

    def location_of(self, meeting: Any) -> str:
        return meeting.location or meeting.series.location


class ActionOut(Out):
    """An action: who does what, where, by when; decided at a meeting or entered by hand."""

    id = fields.Int()
    title = fields.Str()
    owner = _name()
    due_date = fields.Date()
    status = _code(ActionStatus)
    state = fields.Method(
        "state_today",
        metadata={
            "type": "string",
            "enum": [state.value for state in action_service.ActionState],
            "description": "The status as shown today: late when not done by its due date.",
        },
    )
    status_comment = fields.Str()
    origin = _code(ActionOrigin)
    meeting_id = fields.Int(allow_none=True)
    measure_id = fields.Int(allow_none=True)
    place = _name(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def state_today(self, action: Any) -> str:
        return action_service.state_of(action, clock.today()).value


class NoteOut(Out):
    """A situation note shared with the police."""

    id = fields.Int()
    observed_from = fields.DateTime()
    observed_to = fields.DateTime(allow_none=True)
    place = _name()
    category = _name()
    source = _code(NoteSource)
    visibility = _code(Visibility)
    text = fields.Str()
    measure_id = fields.Int(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


# --- errors ----------------------------------------------------------------------------------


class ErrorDetail(Out):
    status = fields.Int(metadata={"description": "The HTTP status."})
    code = fields.Str(metadata={"description": "The status in words, e.g. not_found."})
    message = fields.Str(metadata={"description": "What went wrong, in the asked language."})
    reference = fields.Str(
        metadata={"optional": True, "description": "For a server error: finds its log lines."}
    )


class ErrorOut(Out):
    """Every error of the API."""

    error = fields.Nested(ErrorDetail)
