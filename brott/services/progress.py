"""The public progress page of a council's promise: "what we promised — what we did".

Which measures appear, and which of their fields, is the council's choice per measure
(`Measure.public_fields`). The rows come through the public viewer's scope (policy.PUBLISHED),
and this module copies into the page only the fields the measure publishes, so that nothing
else can reach it: the page's template sees `PublicMeasure`s, never the models.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import CitizenPromise, Council, Measure, MeasureStatus, User
from brott.models.follow_up import Judgement
from brott.models.indicators import Indicator
from brott.models.measure import PUBLIC_FIELD_LABELS, STATUS_LABELS, PublicField
from brott.policy import Viewer
from brott.services import indicators, scorecard
from brott.services import measures as measure_service
from brott.services.charts import Chart
from brott.services.personal_data import check_text
from brott.services.versions import check_version, flush_or_conflict

MAX_SUMMARY = 2000
PUBLISH_CONFLICT = _l(
    "Someone else changed the measure after you opened the form. The form now shows what is "
    "saved; make your choice again."
)


@dataclass(frozen=True)
class PublicJudgement:
    judgement: Judgement
    label: str
    period_start: date
    period_end: date
    justification: str


@dataclass(frozen=True)
class PublicIndicator:
    """What the indicator chart shows of an indicator (templates/indicators/_chart.html)."""

    name: str
    unit: str
    target: float
    baseline: float
    direction_label: str
    source_label: str


@dataclass
class PublicMeasure:
    """What the public page may show of one measure; a field not published is None."""

    number: int | None
    title: str
    summary: str | None = None
    status: MeasureStatus | None = None
    status_label: str | None = None
    progress: int | None = None
    judgement: PublicJudgement | None = None
    charts: list[tuple[PublicIndicator, Chart]] = field(default_factory=list)
    updated: datetime | None = None


@dataclass
class PublicPromise:
    title: str
    starts: date | None
    ends: date | None
    measures: list[PublicMeasure]


@dataclass
class ProgressPage:
    council: Council
    promises: list[PublicPromise]
    summary: scorecard.Summary | None
    updated: datetime | None  # the newest update of what the page shows


def page(viewer: Viewer, today: date) -> ProgressPage:
    """The page for the public viewer, in a fixed number of queries."""
    measures = list(
        db.session.scalars(
            policy.scoped(viewer, Measure)
            .options(joinedload(Measure.promise))
            .order_by(Measure.number.is_(None), Measure.number, Measure.title)
        )
    )
    ids = [m.id for m in measures]
    judged = scorecard.latest(viewer, today)
    shown_indicators: dict[int, list[Indicator]] = {}
    days: indicators.ActivityDays = {}
    if ids:
        stmt = (
            policy.scoped(viewer, Indicator)
            .where(Indicator.measure_id.in_(ids))
            .options(
                selectinload(Indicator.values),
                selectinload(Indicator.measure),
                selectinload(Indicator.activity_kind),
            )
            .order_by(Indicator.id)
        )
        found = list(db.session.scalars(stmt))
        days = indicators.activity_days_of(found, today)
        for indicator in found:
            shown_indicators.setdefault(indicator.measure_id, []).append(indicator)
    by_promise: dict[CitizenPromise | None, list[PublicMeasure]] = {}
    newest: datetime | None = None
    for measure in measures:
        fields = set(measure.public_fields)
        shown = PublicMeasure(number=measure.number, title=measure.title)
        if PublicField.SUMMARY in fields:
            shown.summary = measure.public_summary
        if PublicField.STATUS in fields:
            shown.status = measure.status
            shown.status_label = str(STATUS_LABELS[measure.status])
        if PublicField.PROGRESS in fields:
            shown.progress = measure.progress
        if PublicField.JUDGEMENT in fields and (judgement := judged.get(measure.id)):
            shown.judgement = PublicJudgement(
                judgement.judgement,
                judgement.judgement_label,
                judgement.period_start,
                judgement.period_end,
                judgement.justification,
            )
        if PublicField.INDICATORS in fields:
            shown.charts = [
                (_public(i), indicators.chart_of(i, today, days))
                for i in shown_indicators.get(measure.id, [])
            ]
        if PublicField.UPDATED in fields:
            shown.updated = measure.updated_at
            newest = max(newest, measure.updated_at) if newest else measure.updated_at
        by_promise.setdefault(measure.promise, []).append(shown)
    listed = [
        PublicPromise(
            title=promise.title if promise else _("Other measures"),
            starts=promise.period_start if promise else None,
            ends=promise.period_end if promise else None,
            measures=rows,
        )
        for promise, rows in by_promise.items()
    ]
    with_judgement = [m.id for m in measures if PublicField.JUDGEMENT in m.public_fields]
    summary = (
        scorecard.summarise(with_judgement, {i: judged[i] for i in with_judgement if i in judged})
        if with_judgement
        else None
    )
    return ProgressPage(viewer.council, listed, summary, newest)


def _public(indicator: Indicator) -> PublicIndicator:
    return PublicIndicator(
        indicator.name,
        indicator.unit,
        indicator.target,
        indicator.baseline,
        indicator.direction_label,
        indicator.source_label,
    )


def publish(
    measure: Measure,
    author: User,
    fields: list[str],
    summary: str,
    seen_version: int,
    now: datetime,
) -> None:
    """Choose what of `measure` the public progress page shows, and its plain-language
    summary; the measure's journal records the change."""
    check_version(measure, seen_version, str(PUBLISH_CONFLICT))
    chosen: list[str] = [f.value for f in PublicField if f.value in fields]
    if len(chosen) != len(set(fields)):
        raise DomainError(_("Choose among the listed fields."), field="public_fields")
    text = summary.strip()
    if len(text) > MAX_SUMMARY:
        raise DomainError(
            _("At most %(limit)d characters.", limit=MAX_SUMMARY), field="public_summary"
        )
    if PublicField.SUMMARY.value in chosen and not text:
        raise DomainError(
            _("Write the summary the page is to show, or do not show one."),
            field="public_summary",
        )
    check_text(text, field="public_summary")
    before = (_field_labels(measure.public_fields), measure.public_summary)
    measure.public_fields = chosen
    measure.public_summary = text
    flush_or_conflict(seen_version, str(PUBLISH_CONFLICT))
    after = (_field_labels(chosen), text)
    names = ("public_fields", "public_summary")
    changes = {
        name: [old, new] for name, old, new in zip(names, before, after, strict=True) if old != new
    }
    measure_service.record_changes(measure, author, now, changes)


def _field_labels(fields: list[str]) -> str:
    return ", ".join(str(PUBLIC_FIELD_LABELS[PublicField(f)]) for f in fields)
