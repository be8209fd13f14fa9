"""Following the promise up: the scorecard with its history, the situation analysis's
problems with their evidence, the quarterly EST analysis, and the public progress page that
shows what the council made public and nothing else."""

from datetime import UTC, date, datetime

import pytest

from brott.extensions import db
from brott.models import MeasureStatus, Role, Visibility
from brott.models.follow_up import Assessment, Judgement, Problem
from brott.services import indicators, scorecard
from brott.services import reports as report_service

from .conftest import hidden_value, logged_in
from .report_objects import setup as setup  # a fixture: a body, a category, settings
from .test_query_counts import counted_statements

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = "/r/borlange"
H2 = "2026-07-01"  # the running half-year at NOW
H1 = "2026-01-01"


def judge(client, measure_id: int, period: str, judgement: str, why: str, **extra):
    data = {"period": period, "judgement": judgement, "justification": why, **extra}
    return client.post(f"{BASE}/insatser/{measure_id}/bedomning", data=data)


# --- the scorecard ------------------------------------------------------------------------


def test_periods_follow_the_councils_setting(council):
    assert scorecard.period_of(council, date(2026, 11, 20)) == scorecard.Period(
        date(2026, 7, 1), date(2026, 12, 31)
    )
    council.follow_up_months = 12
    assert scorecard.period_of(council, date(2026, 3, 1)) == scorecard.Period(
        date(2026, 1, 1), date(2026, 12, 31)
    )
    assert [p.start for p in scorecard.recent_periods(council, date(2026, 3, 1), 3)] == [
        date(2026, 1, 1),
        date(2025, 1, 1),
        date(2024, 1, 1),
    ]


def test_a_coordinator_judges_each_follow_up_and_the_history_stays(
    app, frozen, council, coordinator, make_measure
):
    measure = make_measure(council, title="Trygghetsvärdar")
    indicator = indicators.create_indicator(
        measure, indicators.IndicatorData("Kvällar med värdar", target=40), NOW
    )
    db.session.commit()
    client = logged_in(app, coordinator)
    assert judge(client, measure.id, H1, "too_early", "Just startat.").status_code == 302
    response = judge(
        client, measure.id, H2, "partly", "Halva kvällarna.", indicator_ids=str(indicator.id)
    )
    assert response.status_code == 302
    history = scorecard.history(scorecard_viewer(council, coordinator), measure.id)
    assert [(a.period_start.isoformat(), a.judgement) for a in history] == [
        (H2, Judgement.PARTLY),
        (H1, Judgement.TOO_EARLY),
    ]
    assert [i.name for i in history[0].indicators] == ["Kvällar med värdar"]
    page = client.get(f"{BASE}/insatser/{measure.id}").get_data(as_text=True)
    assert "Halva kvällarna." in page and "Just startat." in page
    board = client.get(f"{BASE}/resultat?period={H1}").get_data(as_text=True)
    assert "Just startat." in board and "Halva kvällarna." not in board


def test_replacing_a_periods_judgement_needs_the_version_the_form_showed(
    app, frozen, council, coordinator, make_measure
):
    measure = make_measure(council)
    client = logged_in(app, coordinator)
    assert judge(client, measure.id, H2, "partly", "Först.").status_code == 302
    # a second form, opened before the first was saved, knows of no judgement
    response = judge(client, measure.id, H2, "kept", "Sen.")
    assert response.status_code == 409
    assert "Först." in response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    seen = {"version": hidden_value(page, "version"), "version_period": H2}
    assert judge(client, measure.id, H2, "kept", "Sen.", **seen).status_code == 302
    (only,) = db.session.scalars(db.select(Assessment)).all()
    assert (only.judgement, only.justification) == (Judgement.KEPT, "Sen.")


def test_the_version_of_one_periods_judgement_does_not_replace_anothers(
    app, frozen, council, coordinator, make_measure
):
    measure = make_measure(council)
    client = logged_in(app, coordinator)
    judge(client, measure.id, H1, "too_early", "Våren.")
    judge(client, measure.id, H2, "partly", "Hösten.")
    form = client.get(f"{BASE}/insatser/{measure.id}/bedomning").get_data(as_text=True)
    seen = {"version": hidden_value(form, "version"), "version_period": H2}
    # the form showed the autumn's judgement; the spring's is another, unseen one
    response = judge(client, measure.id, H1, "kept", "Ändrat.", **seen)
    assert response.status_code == 409 and "Våren." in response.get_data(as_text=True)
    spring = db.session.scalars(
        db.select(Assessment).where(Assessment.period_start == date(2026, 1, 1))
    ).one()
    assert spring.justification == "Våren."


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"period": H2, "judgement": "kept", "justification": "   "}, "justification"),
        ({"period": H2, "judgement": "", "justification": "Varför"}, "judgement"),
        ({"period": H2, "judgement": "kept!", "justification": "Varför"}, "judgement"),
        ({"period": "2027-01-01", "judgement": "kept", "justification": "Varför"}, "period"),
        ({"period": "2026-02-01", "judgement": "kept", "justification": "Varför"}, "period"),
        ({"period": H2, "judgement": "kept", "justification": "x" * 4001}, "justification"),
        (
            {"period": H2, "judgement": "kept", "justification": "Gäller 811218-9876"},
            "justification",
        ),
        (
            {"period": H2, "judgement": "kept", "justification": "Ja", "indicator_ids": "999"},
            "indicator_ids",
        ),
    ],
)
def test_a_bad_judgement_is_refused_with_the_input_kept(
    app, frozen, council, coordinator, make_measure, data, field
):
    measure = make_measure(council)
    response = logged_in(app, coordinator).post(
        f"{BASE}/insatser/{measure.id}/bedomning", data=data
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'href="#{field}"' in page  # the error summary leads to the field
    if data["justification"].strip() and len(data["justification"]) < 100:
        assert data["justification"] in page  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count(Assessment.id))) == 0


def test_only_those_who_judge_may_judge(app, frozen, council, member, police, make_measure):
    measure = make_measure(council, owners=[member])
    for user in (member, police):
        client = logged_in(app, user)
        assert client.get(f"{BASE}/insatser/{measure.id}/bedomning").status_code == 403
        assert judge(client, measure.id, H2, "kept", "Nej").status_code == 403
        assert client.get(f"{BASE}/resultat").status_code == 200  # they read it
    assert db.session.scalar(db.select(db.func.count(Assessment.id))) == 0


def test_the_summary_counts_the_latest_judgement_of_each_measure(
    app, frozen, council, coordinator, make_measure
):
    measures = [make_measure(council) for _ in range(5)]
    client = logged_in(app, coordinator)
    for measure, judgement in zip(measures, ["kept", "kept", "partly", "not_kept"], strict=False):
        judge(client, measure.id, H1, "too_early", "Tidigt.")
        judge(client, measure.id, H2, judgement, "Nu.")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        summary = scorecard.summarise(
            [m.id for m in measures], scorecard.latest(scorecard_viewer(council, coordinator))
        )
        assert summary.text() == "2 of 5 kept, 1 partly, 1 not, 1 not judged"


def test_follow_up_settings_refuse_other_periods(app, frozen, council, coordinator, member):
    client = logged_in(app, coordinator)
    form = client.get(f"{BASE}/resultat/installningar").get_data(as_text=True)
    version = hidden_value(form, "version")
    bad = {"follow_up_months": "7", "public_contact": "Ring oss", "version": version}
    response = client.post(f"{BASE}/resultat/installningar", data=bad)
    assert response.status_code == 400 and "Ring oss" in response.get_data(as_text=True)
    good = {"follow_up_months": "12", "public_contact": "trygghet@exempel.se", "version": version}
    assert client.post(f"{BASE}/resultat/installningar", data=good).status_code == 302
    db.session.refresh(council)
    assert (council.follow_up_months, council.public_contact) == (12, "trygghet@exempel.se")
    assert (
        logged_in(app, member).post(f"{BASE}/resultat/installningar", data=good).status_code == 403
    )


def scorecard_viewer(council, user):
    from brott import policy
    from brott.services.users import membership_of

    return policy.Viewer.member(membership_of(user.id, council.id))


# --- problems and the quarterly analysis ---------------------------------------------------


def test_a_problem_links_measures_and_offers_the_records_as_evidence(
    app, frozen, council, coordinator, police, make_measure, make_place, make_category, make_note
):
    station = make_place(council, "Resecentrum")
    theft = make_category(council)
    measure = make_measure(council, title="Cityvärdar")
    for text, visibility in (("Delad", Visibility.SHARED), ("Intern", Visibility.INTERNAL)):
        make_note(council, place=station, category=theft, text=text, visibility=visibility)
    client = logged_in(app, coordinator)
    response = client.post(
        f"{BASE}/problem/ny",
        data={
            "title": "Otryggt vid Resecentrum",
            "place_id": str(station.id),
            "evidence": "Trygghetsmätningen 2025: 41 % otrygga.",
            "measure_ids": str(measure.id),
        },
    )
    assert response.status_code == 302
    problem = db.session.scalars(db.select(Problem)).one()
    assert [m.title for m in problem.measures] == ["Cityvärdar"]
    window = "?fran=2025-01-01&till=2026-12-31"
    mine = client.get(f"{BASE}/problem/{problem.id}{window}").get_data(as_text=True)
    theirs = logged_in(app, police).get(f"{BASE}/problem/{problem.id}{window}")
    assert theirs.status_code == 200
    # the coordinator counts both notes, the police the shared one only
    assert "<td>2</td>" in mine and "<td>1</td>" in theirs.get_data(as_text=True)
    assert "Cityvärdar" in client.get(f"{BASE}/problem/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        (
            {"title": "Ok", "evidence_from": "2026-05-01", "evidence_to": "2026-04-01"},
            "evidence_to",
        ),
        ({"title": "Ok", "evidence_from": "2026-05-01"}, "evidence_to"),
        ({"title": "Ok", "place_id": "99999"}, "place_id"),
        ({"title": "Ok", "measure_ids": "99999"}, "measure_ids"),
        ({"title": "Ok", "evidence_from": "1 maj"}, "evidence_from"),
    ],
)
def test_a_bad_problem_is_refused_with_the_input_kept(
    app, frozen, council, coordinator, data, field
):
    response = logged_in(app, coordinator).post(f"{BASE}/problem/ny", data={"place_id": "", **data})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'href="#{field}"' in page
    if data["title"] and len(data["title"]) < 50:
        assert data["title"] in page
    assert db.session.scalar(db.select(db.func.count(Problem.id))) == 0


def test_an_inverted_evidence_period_is_refused(app, frozen, council, coordinator):
    problem = Problem(council_id=council.id, title="P")
    db.session.add(problem)
    db.session.commit()
    client = logged_in(app, coordinator)
    response = client.get(f"{BASE}/problem/{problem.id}?fran=2026-05-01&till=2026-04-01")
    assert response.status_code == 400 and "2026-04-01" in response.get_data(as_text=True)
    assert client.get(f"{BASE}/problem/{problem.id}?fran=maj").status_code == 400


def test_only_coordinators_manage_problems(app, frozen, council, member, police):
    for user in (member, police):
        client = logged_in(app, user)
        assert client.get(f"{BASE}/problem/ny").status_code == 403
        assert client.post(f"{BASE}/problem/ny", data={"title": "P"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Problem.id))) == 0


def test_the_quarterly_analysis_compares_with_the_quarter_before(
    app, frozen, council, coordinator, make_place, make_category, make_note
):
    square, theft = make_place(council, "Torget"), make_category(council)
    for month in (8, 9, 5):
        when = datetime(2026, month, 3, 20, tzinfo=UTC)
        make_note(council, place=square, category=theft, observed_from=when)
    client = logged_in(app, coordinator)
    page = client.get(f"{BASE}/est/analys?kvartal=2026-3").get_data(as_text=True)
    assert "Torget" in page
    assert "<td>2</td><td>1</td>" in page.replace("\n", "").replace(" ", "")
    for bad in ("2026-5", "abc", "1999-1", "２０２６-1"):
        response = client.get(f"{BASE}/est/analys?kvartal={bad}")
        assert response.status_code == 400, bad


# --- the public progress page --------------------------------------------------------------

MARKERS = {
    "description": "MARKER-DESCRIPTION",
    "category": "MARKER-CATEGORY",
    "journal": "MARKER-JOURNAL",
    "justification": "MARKER-JUSTIFICATION",
    "note": "MARKER-NOTE",
    "email": "marker.reporter@exempel.se",
    "unpublished": "MARKER-UNPUBLISHED-TITLE",
    "summary": "MARKER-SUMMARY-NOT-CHOSEN",
    "indicator": "MARKER-INDICATOR",
    "owner": "Marker Ownersson",
}


@pytest.fixture
def published(app, frozen, council, coordinator, make_measure, make_user, make_note, setup):
    """One measure publishing its status only, one publishing everything, and one not public;
    a marker in every field that must stay inside."""
    owner = make_user(Role.MEMBER, council, name=MARKERS["owner"])
    status_only = make_measure(
        council,
        owners=[owner],
        title="Cityvärdar",
        description=MARKERS["description"],
        category=MARKERS["category"],
        status=MeasureStatus.ONGOING,
    )
    everything = make_measure(council, title="Trygghetsvandringar", status=MeasureStatus.DONE)
    make_measure(council, title=MARKERS["unpublished"], description=MARKERS["description"])
    hidden = indicators.create_indicator(
        status_only, indicators.IndicatorData(MARKERS["indicator"], target=10), NOW
    )
    shown = indicators.create_indicator(
        everything, indicators.IndicatorData("Vandringar per år", target=6), NOW
    )
    indicators.add_value(shown, coordinator, date(2026, 6, 1), 4, "", NOW)
    indicators.add_value(hidden, coordinator, date(2026, 6, 1), 3, MARKERS["journal"], NOW)
    db.session.commit()
    client = logged_in(app, coordinator)
    judge(client, status_only.id, H2, "partly", MARKERS["justification"])
    judge(client, everything.id, H2, "kept", "Alla vandringar gjorda.")
    client.post(
        f"{BASE}/insatser/{status_only.id}/uppdatera",
        data={
            "status": "ongoing",
            "progress": "30",
            "comment": MARKERS["journal"],
            "version": str(status_only.version),
        },
    )
    for measure, fields, summary in (
        (status_only, ["status"], MARKERS["summary"]),
        (
            everything,
            ["summary", "status", "progress", "judgement", "indicators", "updated"],
            "Vi går runt i bostadsområdena.",
        ),
    ):
        db.session.refresh(measure)
        response = client.post(
            f"{BASE}/insatser/{measure.id}/publicering",
            data={
                "public_fields": fields,
                "public_summary": summary,
                "version": str(measure.version),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    make_note(council, text=MARKERS["note"], visibility=Visibility.SHARED)
    report_service.submit(
        council.id,
        report_service.ReportData(
            # the description is public by design (Open311 lists it); the address is not
            setup["category"].id,
            "Torget",
            "Klotter på bänken",
            email=MARKERS["email"],
        ),
        NOW,
    )
    db.session.commit()
    return {"status_only": status_only, "everything": everything}


@pytest.mark.parametrize("path", ["/loftet", "/loftet/sv", "/loftet/en"])
def test_the_public_page_shows_what_was_published_and_nothing_else(
    app, published, coordinator, path
):
    for client in (app.test_client(), logged_in(app, coordinator)):
        response = client.get(BASE + path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Cityvärdar" in page and "Trygghetsvandringar" in page
        assert "Vi går runt i bostadsområdena." in page and "Vandringar per år" in page
        assert "Alla vandringar gjorda." in page  # the published judgement
        leaked = [name for name, marker in MARKERS.items() if marker in page]
        assert not leaked, leaked
    english = app.test_client().get(f"{BASE}/loftet/en").get_data(as_text=True)
    assert 'lang="en"' in english and "What we promised" in english


def test_the_public_page_is_cacheable_and_answers_304_when_unchanged(app, published):
    client = app.test_client()
    first = client.get(f"{BASE}/loftet/sv")
    assert (
        first.headers["Cache-Control"].startswith("public")
        or "public" in first.headers["Cache-Control"]
    )
    assert first.headers.get("Set-Cookie") is None
    again = client.get(f"{BASE}/loftet/sv", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    published["everything"].title = "Trygghetsvandringar i alla områden"
    db.session.commit()
    changed = client.get(f"{BASE}/loftet/sv", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_the_public_page_answers_404_for_an_unknown_council_or_language(app, published):
    client = app.test_client()
    assert client.get("/r/ingen-sadan/loftet").status_code == 404
    assert client.get(f"{BASE}/loftet/de").status_code == 404


def test_publishing_is_for_those_who_manage_measures_and_refuses_unknown_fields(
    app, frozen, council, coordinator, member, make_measure
):
    measure = make_measure(council, owners=[member])
    url = f"{BASE}/insatser/{measure.id}/publicering"
    data = {"public_fields": ["status"], "public_summary": "", "version": str(measure.version)}
    assert logged_in(app, member).post(url, data=data).status_code == 403
    client = logged_in(app, coordinator)
    bad = client.post(url, data={**data, "public_fields": ["status", "owners"]})
    assert bad.status_code == 400
    no_text = client.post(url, data={**data, "public_fields": ["summary"]})
    assert no_text.status_code == 400
    db.session.refresh(measure)
    assert measure.public_fields == []


def test_the_public_page_takes_as_many_queries_for_200_measures_as_for_10(
    app, frozen, council, coordinator, make_measure
):
    client = app.test_client()

    def add(count: int) -> None:
        for n in range(count):
            measure = make_measure(council, title=f"Insats {n}", commit=False)
            measure.public_fields = ["status", "judgement", "indicators", "updated"]
            db.session.flush()
            indicator = indicators.create_indicator(
                measure, indicators.IndicatorData(f"Mått {n}", target=10), NOW
            )
            indicators.add_value(indicator, coordinator, date(2026, 6, 1), 4, "", NOW)
            db.session.add(
                Assessment(
                    council_id=council.id,
                    measure_id=measure.id,
                    period_start=date(2026, 7, 1),
                    period_end=date(2026, 12, 31),
                    judgement=Judgement.PARTLY,
                    justification="Pågår.",
                )
            )
        db.session.commit()

    def count() -> int:
        with counted_statements() as statements:
            assert client.get(f"{BASE}/loftet/sv").status_code == 200
        return len(statements)

    add(10)
    few = count()
    add(190)
    assert count() == few


def test_no_public_page_shows_an_internal_marker(app, published):
    """Every GET page anyone may open without logging in — the council's public pages and
    those outside councils — swept with the markers planted in every internal field."""
    client = app.test_client()
    swept = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        outside = "slug" not in rule.arguments and rule.endpoint != "static"
        if "GET" not in rule.methods or not (getattr(view, "public_page", False) or outside):
            continue
        values = {"slug": "borlange", "lang": "en", "fmt": "json"}
        if not rule.arguments <= set(values):
            continue  # a token or an object id: the credential or a 404
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        response = client.get(url)
        page = response.get_data(as_text=True)
        leaked = [name for name, marker in MARKERS.items() if marker in page]
        assert not leaked, (url, leaked)
        swept.append(url)
    assert "/r/borlange/loftet/en" in swept and "/r/borlange/rapportera" in swept
    assert len(swept) >= 10, swept


def test_changing_only_a_problems_measures_is_a_new_version(
    app, frozen, council, coordinator, make_measure
):
    first, second = make_measure(council, title="Första"), make_measure(council, title="Andra")
    client = logged_in(app, coordinator)
    client.post(f"{BASE}/problem/ny", data={"title": "P", "place_id": "", "measure_ids": first.id})
    problem = db.session.scalars(db.select(Problem)).one()
    url = f"{BASE}/problem/{problem.id}/redigera"
    seen = hidden_value(client.get(url).get_data(as_text=True), "version")
    data = {"title": "P", "place_id": "", "version": seen}
    assert client.post(url, data={**data, "measure_ids": second.id}).status_code == 302
    # a second form loaded at the same version: refused, not saved over the new links
    stale = client.post(url, data={**data, "description": "Sent", "measure_ids": first.id})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)  # the message, and the form as it is saved now
    assert "Någon annan ändrade problemet" in page and "Sent" not in page
    db.session.refresh(problem)
    assert [m.title for m in problem.measures] == ["Andra"] and problem.description == ""


def test_after_a_change_to_yearly_follow_ups_the_latest_judgement_is_the_newest(
    app, frozen, council, coordinator, make_measure
):
    measure = make_measure(council)
    viewer = scorecard_viewer(council, coordinator)
    for start, end, judgement, made in (
        (date(2025, 7, 1), date(2025, 12, 31), Judgement.PARTLY, datetime(2026, 1, 9, tzinfo=UTC)),
        (date(2025, 1, 1), date(2025, 12, 31), Judgement.KEPT, datetime(2026, 2, 9, tzinfo=UTC)),
    ):
        db.session.add(
            Assessment(
                council_id=council.id,
                measure_id=measure.id,
                period_start=start,
                period_end=end,
                judgement=judgement,
                justification="…",
                created_at=made,
            )
        )
    db.session.commit()
    assert scorecard.latest(viewer)[measure.id].judgement is Judgement.KEPT


def test_what_a_measure_publishes_is_in_its_journal(
    app, frozen, council, coordinator, make_measure
):
    measure = make_measure(council)
    client = logged_in(app, coordinator)
    data = {
        "public_fields": ["status", "progress"],
        "public_summary": "",
        "version": measure.version,
    }
    assert client.post(f"{BASE}/insatser/{measure.id}/publicering", data=data).status_code == 302
    db.session.refresh(measure)
    entry = measure.updates[0]
    assert entry.version == measure.version and entry.author_id == coordinator.id
    assert entry.changes == {"public_fields": ["", "Status, Framsteg"]}
    page = client.get(f"{BASE}/insatser/{measure.id}").get_data(as_text=True)
    assert "Status, Framsteg" in page
