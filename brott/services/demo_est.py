"""Demo data, second part: a living EST cycle for the demo council.

A series of joint situation-picture meetings every other Tuesday that began six weeks before
the demo is loaded: three meetings held, with agenda, the situation picture in words and their
decisions — done, delayed, open and overdue — and the coming meetings with their reminders
already in the outbox. Everything is built through the same services a coordinator uses.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from brott.extensions import db
from brott.models import (
    ActionStatus,
    Council,
    Measure,
    Meeting,
    MeetingSeries,
    OutboxMessage,
    OutboxStatus,
    Place,
    User,
)
from brott.services import actions as action_service
from brott.services import meetings as meeting_service
from brott.services import outbox

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TUESDAY = 1
MEETINGS_HELD = 3


@dataclass(frozen=True)
class DemoDecision:
    meeting: int  # index of the held meeting that decided it (0 = the first)
    title: str
    owner: str  # e-mail of a demo user
    due_in_days: int  # from the deciding meeting's day
    place: str | None = None
    measure: str | None = None  # title of a demo measure it serves
    status: ActionStatus = ActionStatus.OPEN
    comment: str = ""
    closed_at_meeting: int | None = None  # index of the held meeting that closed it
    postponed_by_days: int = 0  # a postponement moves the due date this many days on


DEMO_AGENDAS = [
    (
        "1. Lägesbild sedan förra mötet\n2. Resecentrum kvällstid\n3. Gångtunneln i centrum\n"
        "4. Beslut och ansvar",
        "Fler ordningsstörningar vid Resecentrum fredag och lördag kväll. Klotter i gångtunneln "
        "under järnvägen, samma signatur som tidigare. Lugnt i övriga områden.",
    ),
    (
        "1. Uppföljning av förra mötets beslut\n2. Lägesbild\n3. Tjärna Ängar\n"
        "4. Beslut och ansvar",
        "Läget vid Resecentrum har lugnat sig sedan cityvärdarna förstärktes. Bostadsbolaget "
        "rapporterar återkommande störningar i ett trapphus i Tjärna Ängar sena vardagskvällar.",
    ),
    (
        "1. Uppföljning\n2. Lägesbild inför helgerna\n3. Jakobsgårdarna\n4. Beslut och ansvar",
        "Trasig gatubelysning längs gångvägen mot skolan i Jakobsgårdarna upplevs otrygg. "
        "Grupper av unga vid busshållplatserna i centrum, inga skador.",
    ),
]

NEXT_AGENDA = (
    "1. Uppföljning av öppna åtgärder\n2. Lägesbild\n3. Trygghetsvandringen i Jakobsgårdarna\n"
    "4. Beslut och ansvar"
)

DEMO_DECISIONS = [
    DemoDecision(
        0,
        "Förstärk cityvärdarna vid Resecentrum fredag och lördag kväll",
        "samordnare@exempel.se",
        7,
        place="Resecentrum",
        measure="Cityvärdar",
        status=ActionStatus.DONE,
        comment="Två extra värdar på plats 21–01 båda helgerna.",
        closed_at_meeting=1,
    ),
    DemoDecision(
        0,
        "Beställ sanering av klottret i gångtunneln",
        "ledamot@exempel.se",
        10,
        place="Centrum",
        status=ActionStatus.DONE,
        comment="Sanerat inom två dygn.",
        closed_at_meeting=1,
    ),
    DemoDecision(
        1,
        "För dialog med bostadsbolaget om trapphuset i Tjärna Ängar",
        "samordnare@exempel.se",
        10,
        place="Tjärna Ängar",
        status=ActionStatus.DELAYED,
        comment="Bostadsbolaget kan först träffas efter nästa månadsskifte.",
        postponed_by_days=21,
    ),
    DemoDecision(
        1,
        "Extra patrullering vid Resecentrum sena helgkvällar",
        "polis@exempel.se",
        21,
        place="Resecentrum",
        measure="EST – effektiv samordning för trygghet",
    ),
    DemoDecision(
        2,
        "Anmäl den trasiga gatubelysningen mot skolan till Borlänge Energi",
        "ledamot@exempel.se",
        2,  # overdue by the time the demo is opened
        place="Jakobsgårdarna",
    ),
    DemoDecision(
        2,
        "Planera en trygghetsvandring i Jakobsgårdarna med de boende",
        "ledamot@exempel.se",
        24,
        place="Jakobsgårdarna",
        measure="Trygghetsvandringar",
    ),
]


def load_est_cycle(council: Council, users: dict[str, User], now: datetime) -> None:
    """Give the demo council its EST series with history; does nothing if it has a series."""
    if db.session.scalar(
        db.select(MeetingSeries.id).where(MeetingSeries.council_id == council.id).limit(1)
    ):
        return
    coordinator = users["samordnare@exempel.se"]
    today = now.astimezone(STOCKHOLM).date()
    last_tuesday = today - timedelta(days=(today.weekday() - TUESDAY) % 7 or 7)
    first = last_tuesday - timedelta(weeks=2 * (MEETINGS_HELD - 1))
    # the series is set up as it was six weeks ago, then time catches up with it
    set_up_at = datetime.combine(first - timedelta(days=7), time(12), STOCKHOLM)
    series = meeting_service.create_series(
        council.id,
        meeting_service.SeriesData(
            weekday=TUESDAY,
            local_time=time(9, 0),
            first_date=first,
            location="Stadshuset, sal Dalälven",
            invitee_ids=[users["polis@exempel.se"].id, users["ledamot@exempel.se"].id],
        ),
        set_up_at,
    )
    _forget_past_reminders(series, now)
    meeting_service.extend_series(series, now)
    held = sorted((m for m in series.meetings if m.starts_at <= now), key=lambda m: m.starts_at)[
        :MEETINGS_HELD
    ]
    for meeting, (agenda, summary) in zip(held, DEMO_AGENDAS, strict=False):
        meeting_service.update_agenda(meeting, agenda, summary, meeting.starts_at)
    coming = [m for m in series.meetings if m.starts_at > now]
    if coming:
        meeting_service.update_agenda(coming[0], NEXT_AGENDA, "", now)
    _decisions(council, held, users, coordinator)
    _forget_history_notices(council, now)
    db.session.flush()


def _forget_past_reminders(series: MeetingSeries, now: datetime) -> None:
    """The reminders of meetings held before the demo existed were never due to anyone."""
    past = db.select(Meeting.id).where(Meeting.series_id == series.id, Meeting.starts_at <= now)
    for row in db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.meeting_id.in_(past), OutboxMessage.status == OutboxStatus.PENDING
        )
    ):
        row.status = OutboxStatus.DROPPED


def _forget_history_notices(council: Council, now: datetime) -> None:
    """The notices of the demo's history (its series set up, its decisions assigned) were
    news weeks ago: they are not mailed when the demo is loaded. Reminders stay."""
    for row in db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.council_id == council.id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind != outbox.MEETING_REMINDER,
            OutboxMessage.created_at <= now,
        )
    ):
        row.status = OutboxStatus.DROPPED
        row.last_error = "demo history: never news to anyone"


def _decisions(
    council: Council, held: list[Meeting], users: dict[str, User], coordinator: User
) -> None:
    places = {
        p.name: p.id
        for p in db.session.scalars(db.select(Place).where(Place.council_id == council.id))
    }
    measures = {
        m.title: m.id
        for m in db.session.scalars(db.select(Measure).where(Measure.council_id == council.id))
    }
    for demo in DEMO_DECISIONS:
        if demo.meeting >= len(held):
            continue
        meeting = held[demo.meeting]
        decided_on = meeting.starts_at.astimezone(STOCKHOLM).date()
        action = action_service.record_decision(
            meeting,
            coordinator,
            action_service.ActionData(
                title=demo.title,
                owner_id=users[demo.owner].id,
                due_date=decided_on + timedelta(days=demo.due_in_days),
                place_id=places.get(demo.place) if demo.place else None,
                measure_id=measures.get(demo.measure) if demo.measure else None,
            ),
            meeting.ends_at,
        )
        if demo.status is ActionStatus.OPEN:
            continue
        closing = (
            held[demo.closed_at_meeting]
            if demo.closed_at_meeting is not None and demo.closed_at_meeting < len(held)
            else None
        )
        changed_at = closing.starts_at if closing else meeting.ends_at + timedelta(days=3)
        action_service.set_action_status(
            action,
            demo.status,
            demo.comment,
            changed_at,
            closing,
            new_due_date=(
                action.due_date + timedelta(days=demo.postponed_by_days)
                if demo.postponed_by_days
                else None
            ),
        )
