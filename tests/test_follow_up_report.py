"""The follow-up report: the page and the PDF hold problem → measures → indicators →
judgement for the chosen period, what the viewer may read only, and bad periods are refused
with a message beside the field."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from brott.extensions import db
from brott.models import (
    ActionStatus,
    MeasureStatus,
    MeasureUpdate,
    Membership,
    Role,
    User,
    Visibility,
)
from brott.models.activity import ActivityEntry
from brott.models.follow_up import Assessment, Judgement, Problem
from brott.models.indicators import IndicatorPeriod, IndicatorSource
from brott.policy import Viewer
from brott.services import actions as action_service
from brott.services import activity, follow_up_pdf
from brott.services import follow_up_report as service
from brott.services import indicators as indicator_service

from .conftest import logged_in
from .test_query_counts import counted_statements

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAGE = "/r/borlange/uppfoljning"
PDF = "/r/borlange/uppfoljning.pdf"
PERIOD = "?fran=2026-01-01&till=2026-06-30"
ENGLISH = {"Accept-Language": "en"}
SWEDISH_TITLE = "Sommarskola för åk 6–9 i Tjärna Ängar"
ODD_TITLE = "Trygghet – “kväll” 🚲 på torget"
BEFORE_PERIOD = "FÖRE-PERIODEN-4711"
IN_PERIOD = "Tre vandringar genomförda: å ä ö"
INTERNAL = "INTERNT-SPÅR-4711 cykelstället"
SECTIONS = (
    "Follow-up report",
    "The promise in summary",
    "Problems and the measures that address them",
    "Status history",
    "Indicators",
    "EST decisions and actions",
    "Scorecard",
)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# --- factories of this module's models ---------------------------------------------------


@pytest.fixture
def make_journal_entry(app):
    def make(measure, author: User, when: datetime, comment: str, **change) -> MeasureUpdate:
        """A journal entry written at `when`; `change` gives old_/new_status and progress."""
        values = {
            "old_status": measure.status,
            "new_status": measure.status,
            "old_progress": measure.progress,
            "new_progress": measure.progress,
        }
        values.update(change)
        entry = MeasureUpdate(
            measure=measure, author=author, version=1, created_at=when, comment=comment, **values
        )
        db.session.add(entry)
        db.session.commit()
        return entry

    return make


@pytest.fixture
def make_indicator(app):
    def make(measure, values: dict[date, float] | None = None, **fields):
        """An indicator of `measure` through the service, with values entered on dates."""
        data = indicator_service.IndicatorData(
            name=fields.pop("name", "Andel nöjda"), target=fields.pop("target", 50.0), **fields
        )
        indicator = indicator_service.create_indicator(measure, data, NOW)
        for day, value in (values or {}).items():
            indicator_service.add_value(indicator, measure.owners[0], day, value, "", NOW)
        db.session.commit()
        return indicator

    return make


@pytest.fixture
def make_assessment(app):
    def make(measure, judgement: Judgement, start: date, end: date, **fields) -> Assessment:
        assessment = Assessment(
            council_id=measure.council_id,
            measure_id=measure.id,
            period_start=start,
            period_end=end,
            judgement=judgement,
            justification=fields.pop("justification", "Motivering"),
            **fields,
        )
        db.session.add(assessment)
        db.session.commit()
        return assessment

    return make


@pytest.fixture
def make_problem(app):
    def make(council, title: str, measures=(), **fields) -> Problem:
        problem = Problem(council_id=council.id, title=title, measures=list(measures), **fields)
        db.session.add(problem)
        db.session.commit()
        return problem

    return make


def viewer_of(user: User) -> Viewer:
    return Viewer.member(db.session.scalars(db.select(Membership).filter_by(user_id=user.id)).one())


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# --- the demo-like world ---------------------------------------------------------------------


@pytest.fixture
def world(
    frozen,
    council,
    coordinator,
    police,
    make_user,
    make_measure,
    make_meeting,
    make_decision,
    make_note,
    make_journal_entry,
    make_indicator,
    make_assessment,
    make_problem,
):
    owner = make_user(Role.MEMBER, council, name="Åsa Ölund")
    created = at(date(2025, 1, 10))
    walks = make_measure(
        council,
        owners=[owner],
        number=1,
        title="Trygghetsvandringar i Jakobsgårdarna",
        status=MeasureStatus.ONGOING,
        progress=40,
        created_at=created,
    )
    school = make_measure(
        council, owners=[owner], number=2, title=SWEDISH_TITLE, created_at=created
    )
    odd = make_measure(council, owners=[owner], number=3, title=ODD_TITLE, created_at=created)
    make_journal_entry(
        walks,
        owner,
        at(date(2025, 12, 20)),
        BEFORE_PERIOD,
        old_status=MeasureStatus.PLANNED,
        new_status=MeasureStatus.ONGOING,
        old_progress=0,
        new_progress=20,
    )
    make_journal_entry(
        walks, owner, at(date(2026, 2, 10)), IN_PERIOD, old_progress=20, new_progress=40
    )
    satisfied = make_indicator(
        school,
        {date(2025, 6, 30): 10.0, date(2026, 1, 31): 25.0},
        name="Andel elever som når målen",
        unit="%",
        baseline=5.0,
    )
    meeting = make_meeting(council, now=at(date(2026, 1, 5)), first=date(2026, 1, 15))
    decided = make_decision(
        meeting, coordinator, owner, "Belysning vid gångtunneln", now=at(date(2026, 1, 15))
    )
    decided.measure_id = walks.id
    earlier = make_meeting(council, now=at(date(2025, 9, 1)), first=date(2025, 9, 10))
    old = make_decision(
        earlier, coordinator, owner, "Gammalt beslut från hösten", now=at(date(2025, 9, 10))
    )
    old.measure_id = walks.id
    db.session.commit()
    action_service.set_action_status(decided, ActionStatus.DONE, "Lamporna bytta", NOW)
    db.session.commit()
    make_assessment(
        walks,
        Judgement.PARTLY,
        date(2026, 1, 1),
        date(2026, 6, 30),
        justification="Hälften av vandringarna är gjorda.",
    )
    make_assessment(walks, Judgement.KEPT, date(2025, 1, 1), date(2025, 6, 30))  # not overlapping
    make_assessment(
        school,
        Judgement.KEPT,
        date(2026, 1, 1),
        date(2026, 6, 30),
        justification="Målet nått – “över förväntan” 🎉",
        indicators=[satisfied],
    )
    make_problem(council, "Otrygghet vid Resecentrum", [walks, school], description="Kvällstid")
    make_problem(council, "Klotter i centrum")
    in_period = at(date(2026, 2, 1))
    for text, visibility, observed in (
        (INTERNAL, Visibility.INTERNAL, in_period),
        (None, Visibility.SHARED, in_period),
        (None, Visibility.SHARED, at(date(2025, 12, 1))),  # before the period
    ):
        make_note(
            council, text=text, visibility=visibility, measure_id=walks.id, observed_from=observed
        )
    return {"owner": owner, "walks": walks, "school": school, "odd": odd, "decided": decided}


def test_the_page_shows_problem_measures_indicators_and_judgements_of_the_period(
    app, world, coordinator
):
    answer = logged_in(app, coordinator).get(PAGE + PERIOD, headers=ENGLISH)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    for text in (*SECTIONS, SWEDISH_TITLE, "Otrygghet vid Resecentrum", "Klotter i centrum"):
        assert text in html, text
    assert ODD_TITLE in html
    assert "1 of 3 kept, 1 partly, 1 not judged" in html
    assert IN_PERIOD in html and BEFORE_PERIOD not in html  # the journal of the period only
    assert "Belysning vid gångtunneln" in html and "Lamporna bytta" in html
    assert "Gammalt beslut från hösten" not in html  # decided before the period
    assert "Hälften av vandringarna är gjorda." in html
    assert 'class="chart"' in html and "Andel elever som når målen" in html
    assert "uppfoljning.pdf?fran=2026-01-01&amp;till=2026-06-30" in html


def test_the_status_at_the_periods_start_and_end_comes_from_the_journal(app, world, coordinator):
    report = service.build_report(
        viewer_of(coordinator), service.Period(date(2026, 1, 1), date(2026, 6, 30)), NOW.date()
    )
    walks = next(s for s in report.measures if s.measure.id == world["walks"].id)
    assert walks.at_start == service.Standing(MeasureStatus.ONGOING, 20)
    assert walks.at_end == service.Standing(MeasureStatus.ONGOING, 40)
    assert [u.comment for u in walks.journal] == [IN_PERIOD]
    assert [a.judgement for a in walks.assessments] == [Judgement.PARTLY]
    # the autumn: the entry of December moved it; the February one came after the period
    autumn = service.build_report(
        viewer_of(coordinator), service.Period(date(2025, 7, 1), date(2025, 12, 31)), NOW.date()
    )
    walks = next(s for s in autumn.measures if s.measure.id == world["walks"].id)
    assert walks.at_start == service.Standing(MeasureStatus.PLANNED, 0)
    assert walks.at_end == service.Standing(MeasureStatus.ONGOING, 20)
    assert [o.action.title for o in walks.decisions] == ["Gammalt beslut från hösten"]
    # a period without changes: where the first change after it found the measure
    quiet = service.build_report(
        viewer_of(coordinator), service.Period(date(2025, 7, 1), date(2025, 11, 30)), NOW.date()
    )
    walks = next(s for s in quiet.measures if s.measure.id == world["walks"].id)
    assert walks.at_start == walks.at_end == service.Standing(MeasureStatus.PLANNED, 0)
    assert walks.journal == []
    # before the measures existed
    early = service.build_report(
        viewer_of(coordinator), service.Period(date(2024, 1, 1), date(2024, 12, 31)), NOW.date()
    )
    assert all(s.at_start is None and s.at_end is None for s in early.measures)


def test_the_pdf_has_the_sections_the_titles_and_swedish_letters(app, world, coordinator):
    answer = logged_in(app, coordinator).get(PDF + PERIOD, headers=ENGLISH)
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="borlange-uppfoljning-2026-01-01-2026-06-30.pdf"'
    )
    text = pdf_text(answer.data)
    for expected in (
        *SECTIONS,
        "Trygghetsvandringar i Jakobsgårdarna",
        SWEDISH_TITLE,
        "Trygghet – “kväll” ? på torget",  # the emoji has no glyph: a question mark
        "å ä ö",
        "Otrygghet vid Resecentrum",
        "Belysning vid gångtunneln",
        "Målet nått – “över förväntan” ?",
        "1 of 3 kept, 1 partly",
    ):
        assert expected in text, expected
    assert BEFORE_PERIOD not in text and "Gammalt beslut från hösten" not in text
    reader = PdfReader(io.BytesIO(answer.data))
    assert "Brottsförebyggande" in reader.metadata.title
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_the_pdf_speaks_swedish_by_default(app, world, coordinator):
    body = logged_in(app, coordinator).get(PDF + PERIOD).data
    reader = PdfReader(io.BytesIO(body))
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert SWEDISH_TITLE in pdf_text(body)


def test_any_text_a_person_may_type_prints(app):
    typed = "Ångest – “citat” ‘enkla’ … € 10 🚲👩‍👩‍👧 e\u0301 \x01\u200b slut"
    assert follow_up_pdf.printable(typed) == "Ångest – “citat” ‘enkla’ … € 10 ???? é  slut"


def test_the_police_see_no_internal_content(app, world, police, coordinator):
    period = service.Period(date(2026, 1, 1), date(2026, 6, 30))
    walks_id = world["walks"].id

    def notes_filed(user: User) -> int:
        report = service.build_report(viewer_of(user), period, NOW.date())
        return next(s.notes_filed for s in report.measures if s.measure.id == walks_id)

    assert notes_filed(coordinator) == 2
    assert notes_filed(police) == 1  # the shared note only
    client = logged_in(app, police)
    page = client.get(PAGE + PERIOD, headers=ENGLISH)
    assert page.status_code == 200
    assert INTERNAL not in page.get_data(as_text=True)
    assert "Belysning vid gångtunneln" in page.get_data(as_text=True)  # EST is shared
    pdf = client.get(PDF + PERIOD)
    assert pdf.status_code == 200 and INTERNAL not in pdf_text(pdf.data)


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("?fran=&till=", "Enter the first day.", 'name="till" required type="date" value=""'),
        ("?fran=2026-01-01", "Enter the last day.", 'value="2026-01-01"'),
        (
            "?fran=2026-06-30&till=2026-01-01",
            "The last day cannot be before the first day.",
            'value="2026-06-30"',
        ),
        ("?fran=hej&till=2026-01-01", "Not a valid date value.", 'value="hej"'),
        (
            "?fran=2020-01-01&till=2026-06-30",
            "A report covers at most 5 years",
            'value="2020-01-01"',
        ),
    ],
)
def test_a_bad_period_is_refused_with_a_message_and_the_input_kept(
    app, world, coordinator, query, message, kept
):
    client = logged_in(app, coordinator)
    page = client.get(PAGE + query, headers=ENGLISH)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert message in html and kept in html
    assert 'class="error"' in html
    assert "The promise in summary" not in html  # no report for a bad period
    pdf = client.get(PDF + query, headers=ENGLISH)
    assert pdf.status_code == 400
    assert pdf.mimetype == "text/html" and message in pdf.get_data(as_text=True)


def test_without_a_period_the_councils_current_follow_up_period_is_shown(
    app, world, coordinator, council
):
    page = logged_in(app, coordinator).get(PAGE).get_data(as_text=True)
    assert 'value="2026-01-01"' in page and 'value="2026-06-30"' in page
    council.follow_up_months = 12
    db.session.commit()
    page = logged_in(app, coordinator).get(PAGE).get_data(as_text=True)
    assert 'value="2026-01-01"' in page and 'value="2026-12-31"' in page
    assert logged_in(app, coordinator).get(PDF).status_code == 200


def test_body_staff_other_councils_and_the_public_are_refused(
    app, world, make_user, make_council, council
):
    staff = make_user(Role.BODY_STAFF, council)
    stranger = make_user(Role.COORDINATOR, make_council(slug="falun"))
    for url in (PAGE, PDF + PERIOD):
        assert logged_in(app, staff).get(url).status_code == 403
        assert logged_in(app, stranger).get(url).status_code == 404
        anonymous = app.test_client().get(url)
        assert anonymous.status_code == 302 and "/logga-in" in anonymous.headers["Location"]


def test_the_measures_list_links_to_the_report(app, world, member):
    html = logged_in(app, member).get("/r/borlange/").get_data(as_text=True)
    assert 'href="/r/borlange/uppfoljning"' in html


def test_activity_indicators_read_together_give_the_values_read_one_by_one(
    app, world, council, make_indicator
):
    measure = world["odd"]
    activity.add_default_kinds(council.id)
    kinds = activity.kinds(council.id)
    for day, kind in ((date(2026, 1, 5), kinds[0]), (date(2026, 1, 9), kinds[1])):
        db.session.add(
            ActivityEntry(
                council_id=council.id, measure_id=measure.id, on_date=day, kind_id=kind.id
            )
        )
    db.session.commit()
    counted = {"source": IndicatorSource.ACTIVITY_ENTRIES, "period": IndicatorPeriod.MONTH}
    every_kind = make_indicator(measure, name="Träffar", **counted)
    one_kind = make_indicator(measure, name="Dialogmöten", activity_kind_id=kinds[0].id, **counted)
    today = NOW.date()
    start, end = indicator_service.window(measure, today)
    days = activity.daily_totals_of_measures([measure.id], start, end)
    for indicator, in_january in ((every_kind, 2), (one_kind, 1)):
        one_by_one = indicator_service.points(indicator, today)
        assert indicator_service.points(indicator, today, days) == one_by_one
        assert [p.value for p in one_by_one if p.on_date == date(2026, 1, 31)] == [in_january]


# --- no N+1 ----------------------------------------------------------------------------------


@pytest.fixture
def grow(
    make_measure,
    make_journal_entry,
    make_indicator,
    make_assessment,
    make_meeting,
    make_decision,
    make_problem,
):
    def add(council, people: list[User], n: int) -> None:
        """`n` measures, each with a journal entry, an entered and a counted indicator, a
        judgement and an EST decision of the period, all addressing one new problem."""
        meeting = make_meeting(council, now=at(date(2026, 1, 5)), first=date(2026, 1, 15))
        measures = []
        for i in range(n):
            measure = make_measure(council, owners=[people[i % 2]], created_at=at(date(2025, 1, 1)))
            make_journal_entry(
                measure, people[0], at(date(2026, 2, 1)), f"Steg {i}", new_progress=50
            )
            make_indicator(measure, {date(2026, 1, 31): float(i)})
            make_indicator(
                measure,
                name="Träffar",
                source=IndicatorSource.ACTIVITY_ENTRIES,
                period=IndicatorPeriod.MONTH,
            )
            make_assessment(measure, Judgement.KEPT, date(2026, 1, 1), date(2026, 6, 30))
            action = make_decision(
                meeting, people[0], title=f"Beslut {i}", now=at(date(2026, 1, 15))
            )
            action.measure_id = measure.id
            measures.append(measure)
        db.session.commit()
        make_problem(council, f"Problem {n}", measures)

    return add


@pytest.mark.parametrize("url", [PAGE + PERIOD, PDF + PERIOD])
def test_the_report_runs_as_many_statements_for_12_measures_as_for_2(
    app, frozen, council, coordinator, make_user, grow, url
):
    people = [make_user(Role.MEMBER, council) for _ in range(2)]
    client = logged_in(app, coordinator)

    def statements() -> tuple[int, str]:
        with counted_statements() as found:
            answer = client.get(url)
        assert answer.status_code == 200
        return len(found), answer.get_data(as_text=answer.mimetype == "text/html")

    grow(council, people, 2)
    few, _ = statements()
    grow(council, people, 10)
    many, body = statements()
    assert many == few
    if url.startswith(PAGE + "?"):
        assert len(re.findall(r'class="report-measure"', body)) == 12
