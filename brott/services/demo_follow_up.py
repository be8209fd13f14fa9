"""Demo data for following the promise up: two half-yearly judgements of every measure (the
later one its current state), three problems of the situation analysis linked to the
measures that address them, and a public progress page showing every measure.

Everything goes through the services a coordinator's request uses; loading twice adds
nothing.
"""

from datetime import date, datetime

from brott.extensions import db
from brott.models import Council, Measure, MeasureStatus, User
from brott.models.follow_up import Assessment, Judgement, Problem
from brott.models.measure import PublicField
from brott.policy import Viewer
from brott.services import indicators, places, problems, progress, scorecard
from brott.services.users import membership_of

COORDINATOR = "samordnare@exempel.se"
CONTACT = "Kommunens kontaktcenter, 0243-740 00, trygghet@exempel.se"

# the promise ran 2018–2019: its two last follow-ups
EARLIER, LATER = date(2019, 1, 1), date(2019, 7, 1)

JUDGED_BY_STATUS = {
    MeasureStatus.DONE: Judgement.KEPT,
    MeasureStatus.ONGOING: Judgement.PARTLY,
    MeasureStatus.INVESTIGATING: Judgement.TOO_EARLY,
    MeasureStatus.PLANNED: Judgement.TOO_EARLY,
    MeasureStatus.PAUSED: Judgement.NOT_KEPT,
}

WHY = {
    Judgement.KEPT: "Genomfört som utlovat; indikatorerna har nått eller passerat målet.",
    Judgement.PARTLY: "Arbetet pågår men har inte nått hela vägen. Fortsätter nästa period.",
    Judgement.NOT_KEPT: "Arbetet har stått still under perioden; resurser saknades.",
    Judgement.TOO_EARLY: "Utredningen pågår; det går ännu inte att se något resultat.",
}
EARLY_WHY = "Arbetet hade just kommit igång vid den första uppföljningen."

# (title, place, description, the measures that address it)
DEMO_PROBLEMS = (
    (
        "Otrygghet vid Resecentrum kvällstid",
        "Resecentrum",
        "Resenärer och boende upplever stråket från Resecentrum mot centrum som otryggt "
        "efter mörkrets inbrott, särskilt fredag och lördag kväll.",
        ("Cityvärdar", "Trygghetsvärdar", "Kameror och ordningsvakter", "Trygghetsvandringar"),
    ),
    (
        "Rån och hot mot butiker i centrum",
        "Centrum",
        "Butiker i centrum har utsatts för rån och hot, oftast vid stängning.",
        ("Skydd mot rån i handeln",),
    ),
    (
        "Unga som dras in i kriminalitet",
        None,
        "Skolan och socialtjänsten ser att fler unga i årskurs 7–9 rör sig i miljöer där "
        "brott begås.",
        ("Människan bakom uniformen (MBU)", "Sommarskola", "Stöd för föräldrar"),
    ),
)


def load_demo(council: Council, users: dict[str, User], now: datetime) -> None:
    """Add the demo judgements, problems and public page (what is missing only)."""
    coordinator = users[COORDINATOR]
    membership = membership_of(coordinator.id, council.id)
    assert membership is not None  # the demo's coordinator is a member of the demo council
    viewer = Viewer.member(membership)
    measures = list(db.session.scalars(db.select(Measure).where(Measure.council_id == council.id)))
    judged = set(
        db.session.execute(
            db.select(Assessment.measure_id, Assessment.period_start).where(
                Assessment.council_id == council.id
            )
        ).tuples()
    )
    for measure in measures:
        latest = JUDGED_BY_STATUS[measure.status]
        shown = [i.id for i in indicators.indicators_of(viewer, measure.id)]
        for start, judgement, why in (
            (
                EARLIER,
                Judgement.TOO_EARLY if latest is not Judgement.KEPT else Judgement.PARTLY,
                EARLY_WHY,
            ),
            (LATER, latest, WHY[latest]),
        ):
            if (measure.id, start) in judged:
                continue
            scorecard.judge(
                viewer,
                measure,
                coordinator,
                scorecard.JudgementData(start, judgement, why, shown),
                now.date(),
                now,
            )
        if not measure.public_fields:
            fields = [PublicField.SUMMARY, PublicField.STATUS, PublicField.PROGRESS]
            fields += [PublicField.JUDGEMENT, PublicField.UPDATED]
            if shown:
                fields.append(PublicField.INDICATORS)
            summary = measure.description.split(". ")[0].rstrip(".") + "."
            progress.publish(
                measure, coordinator, [f.value for f in fields], summary, measure.version, now
            )
    if not council.public_contact:
        scorecard.set_follow_up(council, council.follow_up_months, CONTACT, council.version)
    titles = {m.title: m.id for m in measures}
    place_ids = {p.name: p.id for p in places.places(council.id)}
    existing = set(
        db.session.scalars(db.select(Problem.title).where(Problem.council_id == council.id))
    )
    for title, place, description, addressed in DEMO_PROBLEMS:
        if title in existing:
            continue
        problems.save(
            viewer,
            None,
            problems.ProblemData(
                title=title,
                description=description,
                place_id=place_ids.get(place) if place else None,
                measure_ids=[titles[t] for t in addressed if t in titles],
            ),
        )
    db.session.flush()
