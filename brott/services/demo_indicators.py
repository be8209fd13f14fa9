"""Demo data: indicators with values on four measures, and activity logs on two.

The promise ran 2018–2019, so the values and entries lie in those years: MBU's participants
per half-year (target 12), the summer school's weeks held per year (target 6), the city
hosts' result in the travellers' survey, and the share of businesses certified (counted from
the register). The safety hosts and the citizen dialogues keep activity logs whose counts
feed an indicator each. Everything goes through the services a user's request uses; loading
twice adds nothing.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from brott.extensions import db
from brott.models import Council, Measure, User
from brott.models.activity import ActivityEntry
from brott.models.indicators import (
    Indicator,
    IndicatorPeriod,
    IndicatorSource,
)
from brott.services import activity, indicators
from brott.services.places import places

MEMBER = "ledamot@exempel.se"


@dataclass(frozen=True)
class DemoIndicator:
    measure: str
    data: indicators.IndicatorData
    values: tuple[tuple[date, float, str], ...] = ()
    kind: str | None = None  # for the activity sources: count only this kind


@dataclass(frozen=True)
class DemoEntry:
    on_date: date
    kind: str
    people: int
    text: str
    place: str | None = None
    at: time | None = None


@dataclass(frozen=True)
class DemoLog:
    measure: str
    entries: tuple[DemoEntry, ...] = field(default=())


DEMO_INDICATORS = (
    DemoIndicator(
        "Människan bakom uniformen (MBU)",
        indicators.IndicatorData(
            name="Deltagare per halvår",
            unit="deltagare",
            baseline=0,
            target=12,
            period=IndicatorPeriod.HALF_YEAR,
            # a rate per cohort, not a way towards an end: the progress stays typed
        ),
        (
            (date(2018, 6, 30), 9, "Första omgången, tre hoppade av efter en vecka."),
            (date(2018, 12, 31), 11, ""),
            (date(2019, 6, 30), 12, "Full grupp för första gången."),
            (date(2019, 12, 31), 12, ""),
        ),
    ),
    DemoIndicator(
        "Sommarskola",
        indicators.IndicatorData(
            name="Veckor genomförda",
            unit="veckor",
            baseline=0,
            target=6,
            period=IndicatorPeriod.YEAR,
            drives_progress=True,
        ),
        (
            (date(2018, 8, 17), 5, "En vecka ställdes in i brist på lärare."),
            (date(2019, 8, 16), 6, ""),
        ),
    ),
    DemoIndicator(
        "Cityvärdar",
        indicators.IndicatorData(
            name="Resenärer som känner sig trygga vid Resecentrum",
            unit="%",
            baseline=62,
            target=75,
            period=IndicatorPeriod.HALF_YEAR,
        ),
        (
            (date(2018, 6, 30), 64, "Resenärsenkäten, vårens mätning."),
            (date(2018, 12, 31), 67.5, "Resenärsenkäten, höstens mätning."),
            (date(2019, 6, 30), 70, ""),
            (date(2019, 12, 31), 72.5, ""),
        ),
    ),
    DemoIndicator(
        "Skydd mot rån i handeln",
        indicators.IndicatorData(
            name="Andel certifierade butiker",
            unit="%",
            baseline=0,
            target=100,
            period=IndicatorPeriod.QUARTER,
            source=IndicatorSource.CERTIFIED_SHARE,
        ),
    ),
    DemoIndicator(
        "Trygghetsvandringar",
        indicators.IndicatorData(
            name="Andel åtgärder från vandringarna som är klara",
            unit="%",
            baseline=0,
            target=100,
            period=IndicatorPeriod.MONTH,
            source=IndicatorSource.WALK_ACTIONS_CLOSED,
        ),
    ),
    DemoIndicator(
        "Trygghetsvärdar",
        indicators.IndicatorData(
            name="Unga som värdarna mött per kvartal",
            unit="personer",
            baseline=0,
            target=60,
            period=IndicatorPeriod.QUARTER,
            source=IndicatorSource.ACTIVITY_PEOPLE,
        ),
    ),
    DemoIndicator(
        "Medborgardialog",
        indicators.IndicatorData(
            name="Dialogmöten per halvår",
            unit="möten",
            baseline=0,
            target=4,
            period=IndicatorPeriod.HALF_YEAR,
            source=IndicatorSource.ACTIVITY_ENTRIES,
        ),
        kind="Dialogmöte",
    ),
)

DEMO_LOGS = (
    DemoLog(
        "Trygghetsvärdar",
        (
            DemoEntry(
                date(2019, 2, 8),
                "Patrullering/observation",
                14,
                "Fredagskväll i centrum, lugnt men många unga vid busstorget.",
                "Centrum",
                time(21, 0),
            ),
            DemoEntry(
                date(2019, 3, 15),
                "Patrullering/observation",
                22,
                "Trasig belysning på gångvägen bakom skolan, anmält till Borlänge Energi.",
                "Jakobsgårdarna",
                time(20, 30),
            ),
            DemoEntry(
                date(2019, 5, 24),
                "Evenemang",
                45,
                "Närvaro vid skolavslutningsfirandet.",
                "Centrum",
            ),
            DemoEntry(
                date(2019, 8, 30),
                "Patrullering/observation",
                18,
                "Samtal med en grupp som samlas vid Resecentrum på kvällarna.",
                "Resecentrum",
                time(22, 0),
            ),
            DemoEntry(
                date(2019, 10, 11),
                "Träff",
                25,
                "Kvällsträff på fritidsgården tillsammans med fältassistenterna.",
                "Tjärna Ängar",
            ),
            DemoEntry(
                date(2019, 11, 22),
                "Patrullering/observation",
                16,
                "Mörkt och stökigt vid tunneln under järnvägen.",
                "Kvarnsveden",
                time(21, 30),
            ),
        ),
    ),
    DemoLog(
        "Medborgardialog",
        (
            DemoEntry(
                date(2018, 4, 19),
                "Dialogmöte",
                34,
                "Öppet möte om tryggheten i Jakobsgårdarna; belysning och skräp kom upp mest.",
                "Jakobsgårdarna",
            ),
            DemoEntry(
                date(2018, 10, 4),
                "Dialogmöte",
                21,
                "Samtal med föräldrar på Tjärna Ängar om kvällarna i området.",
                "Tjärna Ängar",
            ),
            DemoEntry(
                date(2019, 3, 28),
                "Dialogmöte",
                40,
                "Dialog på biblioteket med tolk till arabiska och somaliska.",
                "Centrum",
            ),
            DemoEntry(
                date(2019, 5, 9),
                "Evenemang",
                120,
                "Trygghetsdag på torget med polis, räddningstjänst och föreningar.",
                "Centrum",
            ),
            DemoEntry(
                date(2019, 9, 26),
                "Dialogmöte",
                18,
                "Uppföljning i Jakobsgårdarna: vad har hänt sedan förra året?",
                "Jakobsgårdarna",
            ),
        ),
    ),
)


def load_demo(
    council: Council, users: dict[str, User], measures: dict[str, Measure], now: datetime
) -> None:
    """Add the demo indicators, their values and the activity logs (missing ones only)."""
    kinds = {k.name: k for k in activity.kinds(council.id, active_only=False)}
    place_ids = {p.name: p.id for p in places(council.id)}
    for log in DEMO_LOGS:
        measure = measures.get(log.measure)
        if measure is None or _has_entries(measure):
            continue
        for entry in log.entries:
            activity.add_entry(
                measure,
                users[MEMBER],
                activity.EntryData(
                    on_date=entry.on_date,
                    at_time=entry.at,
                    kind_id=kinds[entry.kind].id,
                    place_id=place_ids.get(entry.place or ""),
                    people_reached=entry.people,
                    text=entry.text,
                ),
                None,
                now,
                now.date(),
            )
    for demo in DEMO_INDICATORS:
        measure = measures.get(demo.measure)
        if measure is None or _has_indicator(measure, demo.data.name):
            continue
        data = demo.data
        if demo.kind is not None:
            data = indicators.IndicatorData(
                **{**vars(data), "activity_kind_id": kinds[demo.kind].id}
            )
        # the history is entered first and the progress follows the latest value once, so
        # the journal does not replay two years of values
        indicator = indicators.create_indicator(
            measure, indicators.IndicatorData(**{**vars(data), "drives_progress": False}), now
        )
        for on_date, value, comment in demo.values:
            indicators.add_value(indicator, users[MEMBER], on_date, value, comment, now)
        if data.drives_progress:
            indicator.drives_progress = True
            indicators.apply_progress(indicator, None, now)
    db.session.flush()


def _has_entries(measure: Measure) -> bool:
    stmt = db.select(ActivityEntry.id).where(ActivityEntry.measure_id == measure.id).limit(1)
    return db.session.scalar(stmt) is not None


def _has_indicator(measure: Measure, name: str) -> bool:
    stmt = db.select(Indicator.id).where(Indicator.measure_id == measure.id, Indicator.name == name)
    return db.session.scalar(stmt) is not None
