"""The staff side of residents' reports: the queue, a report's page, its changes through the
pages (status, replies, comments, closing, handing over), notes and actions made from a
report, the safety marks, and who may see and do which."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from brott.extensions import db
from brott.models import Action, ActionOrigin, Role, SituationNote
from brott.models.reports import (
    CloseReason,
    EventKind,
    Feeling,
    FeelingReason,
    ReportCategory,
    ReportStatus,
    ResidentReport,
    SafetyMark,
    TimeOfDay,
)
from brott.services import report_handling, report_queue
from brott.services import reports as report_service

from .conftest import hidden_value, logged_in
from .report_objects import _photo
from .report_objects import setup as setup  # a fixture

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
BASE = "/r/borlange/rapporter"
SECRET_COMMENT = "Bara för personalen: stolpen är rostig"
REPORTER = "boende@exempel.se"


# --- factories --------------------------------------------------------------------------------


@pytest.fixture
def make_report(council, setup):
    def make(
        address: str = "Stationsgatan 3",
        description: str = "Gatlampan är släckt",
        email: str = "",
        category=None,
        at: datetime = NOW - timedelta(days=2),
        **point,
    ) -> ResidentReport:
        data = report_service.ReportData(
            category_id=(category or setup["category"]).id,
            address=address,
            description=description,
            email=email,
            **point,
        )
        report = report_service.submit(council.id, data, at)
        db.session.commit()
        return report

    return make


@pytest.fixture
def staff(make_user, council, setup):
    """A member of the body the category routes to (Energibolaget)."""
    return _body_staff(make_user, council, setup["body"])


@pytest.fixture
def other_staff(make_user, council, setup):
    """A member of the other body (Gata och park)."""
    return _body_staff(make_user, council, setup["other_body"])


def _body_staff(make_user, council, body):
    user = make_user(Role.BODY_STAFF, council)
    user.memberships[0].body_id = body.id
    db.session.commit()
    return user


def _fresh(report_id: int) -> ResidentReport:
    db.session.expire_all()
    found = db.session.get(ResidentReport, report_id)
    assert found is not None
    return found


def _post(client, report_id: int, action: str, name: str, **fields):
    """Post the form `name` of a report's page, with the report's version unless given."""
    data = {f"{name}-{key}": value for key, value in fields.items()}
    data.setdefault(f"{name}-version", str(_fresh(report_id).version))
    return client.post(f"{BASE}/{report_id}/{action}", data=data)


# --- the lifecycle through the pages --------------------------------------------------------


def test_a_bodys_staff_move_a_report_from_new_to_fixed_and_each_step_is_in_its_history(
    app, frozen, staff, make_report
):
    report = make_report(email=REPORTER)
    client = logged_in(app, staff)
    for status, text in (
        (ReportStatus.RECEIVED, ""),
        (ReportStatus.IN_PROGRESS, "Vi byter lampan i veckan"),
        (ReportStatus.FIXED, "Lampan är bytt"),
    ):
        answer = _post(client, report.id, "status", "status", status=status.value, text=text)
        assert answer.status_code == 302, answer.text
        assert _fresh(report.id).status is status
    page = client.get(f"{BASE}/{report.id}").text
    assert "Vi byter lampan i veckan" in page and "Lampan är bytt" in page
    assert page.count('<li class="event">') == 4  # filed and three changes, all public
    assert staff.name in page  # staff see who did what
    fixed = _fresh(report.id)
    assert not fixed.is_open and fixed.fixed_at == NOW


def test_a_report_not_ours_needs_a_referral_and_the_input_stays_when_it_is_missing(
    app, frozen, staff, make_report
):
    report = make_report()
    client = logged_in(app, staff)
    refused = _post(client, report.id, "stang", "close", reason="not_ours", text="Inte vårt")
    assert refused.status_code == 400
    assert 'id="close-referral-error"' in refused.text
    assert "Inte vårt" in refused.text  # the input is kept
    assert _fresh(report.id).is_open
    done = _post(
        client, report.id, "stang", "close", reason="not_ours", referral="Trafikverket", text=""
    )
    assert done.status_code == 302
    closed = _fresh(report.id)
    assert closed.close_reason is CloseReason.NOT_OURS and closed.referral == "Trafikverket"
    assert "Trafikverket" in client.get(f"{BASE}/{report.id}").text


def test_a_duplicate_is_merged_into_its_original_with_its_supporters(
    app, frozen, coordinator, make_report
):
    original = make_report(address="Torget")
    report_service.support(original, "", "sv", NOW)
    duplicate = make_report(address="Torget 1", email=REPORTER)
    for _ in range(2):
        report_service.support(duplicate, "", "sv", NOW)
    db.session.commit()
    client = logged_in(app, coordinator)
    answer = _post(
        client, duplicate.id, "stang", "close", reason="duplicate", original_id=f"#{original.id}"
    )
    assert answer.status_code == 302
    merged = _fresh(duplicate.id)
    assert merged.duplicate_of_id == original.id and merged.status is ReportStatus.CLOSED
    assert _fresh(original.id).supporters == 1 + 2 + 1  # its own, the duplicate's, its reporter
    page = client.get(f"{BASE}/{original.id}").text
    assert f'href="{BASE}/{duplicate.id}"' in page  # merged into this one: linked
    assert f'href="{BASE}/{original.id}"' in client.get(f"{BASE}/{duplicate.id}").text


def test_a_duplicate_needs_the_number_of_another_report_of_the_council(
    app, frozen, coordinator, make_report, make_council
):
    report = make_report()
    other = make_council()
    category = ReportCategory(council_id=other.id, name="Klotter", service_code="klotter")
    db.session.add(category)
    db.session.flush()
    elsewhere = report_service.submit(
        other.id, report_service.ReportData(category.id, "Någonstans", "Trasigt"), NOW
    )
    db.session.commit()
    client = logged_in(app, coordinator)
    for number in (str(report.id), str(elsewhere.id), "987654", "tolv", ""):
        answer = _post(client, report.id, "stang", "close", reason="duplicate", original_id=number)
        assert answer.status_code == 400, number
        assert f'value="{number}"' in answer.text  # the input is kept
        assert 'id="close-original_id-error"' in answer.text  # the message is at the field
    assert _fresh(report.id).is_open


def test_a_bodys_staff_cannot_merge_into_another_bodys_report_nor_into_a_closed_one(
    app, frozen, staff, setup, make_report
):
    report = make_report()
    theirs = make_report(address="Torget 1")
    theirs.body_id = setup["other_body"].id  # handled by Gata och park
    done = make_report(address="Torget 2")
    report_handling.close(done, staff, CloseReason.NO_ACTION, "", "", None, done.version, NOW)
    db.session.commit()
    client = logged_in(app, staff)
    for original in (theirs, done):
        answer = _post(
            client, report.id, "stang", "close", reason="duplicate", original_id=str(original.id)
        )
        assert answer.status_code == 400
        assert 'id="close-original_id-error"' in answer.text
    assert "är stängd eller åtgärdad" in answer.text  # the closed one: said why
    assert _fresh(theirs.id).supporters == 0 and _fresh(done.id).supporters == 0
    assert _fresh(report.id).is_open


def test_a_bodys_staff_cannot_merge_into_another_bodys_report_through_a_duplicate(
    app, frozen, coordinator, staff, setup, make_report
):
    mine = make_report()
    theirs = make_report(address="Torget 1")
    theirs.body_id = setup["other_body"].id
    link = make_report(address="Torget 2")  # the body's own, merged into the other body's
    db.session.commit()
    report_handling.close(
        link, coordinator, CloseReason.DUPLICATE, "", "", theirs, link.version, NOW
    )
    db.session.commit()
    answer = _post(
        logged_in(app, staff),
        mine.id,
        "stang",
        "close",
        reason="duplicate",
        original_id=str(link.id),
    )
    assert answer.status_code == 400
    assert _fresh(theirs.id).supporters == 1  # the coordinator's merge only
    assert _fresh(mine.id).is_open


def test_a_merge_across_bodies_names_neither_report_to_the_other_bodys_staff(
    app, frozen, coordinator, staff, other_staff, setup, make_report
):
    duplicate = make_report()  # Energibolaget's
    original = make_report(address="Torget 1")
    original.body_id = setup["other_body"].id  # Gata och park's
    db.session.commit()
    client = logged_in(app, coordinator)
    merged = _post(
        client, duplicate.id, "stang", "close", reason="duplicate", original_id=str(original.id)
    )
    assert merged.status_code == 302
    assert f'href="{BASE}/{original.id}"' in client.get(f"{BASE}/{duplicate.id}").text

    theirs = logged_in(app, staff).get(f"{BASE}/{duplicate.id}").text
    assert f"{BASE}/{original.id}" not in theirs and f"nr {original.id}" not in theirs
    assert "En annan organisations rapport" in theirs
    others = logged_in(app, other_staff).get(f"{BASE}/{original.id}").text
    assert f"{BASE}/{duplicate.id}" not in others


def test_a_report_handed_to_another_body_leaves_the_first_bodys_queue(
    app, frozen, staff, other_staff, setup, make_report
):
    report = make_report()
    client = logged_in(app, staff)
    answer = _post(
        client,
        report.id,
        "overlamna",
        "reassign",
        body_id=str(setup["other_body"].id),
        text="Det är en parklampa",
    )
    assert answer.status_code == 302 and answer.location.endswith(f"{BASE}/")
    assert _fresh(report.id).body_id == setup["other_body"].id
    assert client.get(f"{BASE}/{report.id}").status_code == 404
    assert f'href="{BASE}/{report.id}"' not in client.get(f"{BASE}/").text
    theirs = logged_in(app, other_staff)
    page = theirs.get(f"{BASE}/{report.id}").text
    assert "Det är en parklampa" in page  # the internal note of the handover
    same = _post(theirs, report.id, "overlamna", "reassign", body_id=str(setup["other_body"].id))
    assert same.status_code == 400


# --- refused changes --------------------------------------------------------------------------


def test_refused_changes_answer_400_at_their_form_and_change_nothing(
    app, frozen, staff, make_report
):
    report = make_report()
    client = logged_in(app, staff)
    empty_reply = _post(client, report.id, "svar", "reply", text="   ")
    assert empty_reply.status_code == 400 and 'id="reply-text-error"' in empty_reply.text
    empty_comment = _post(client, report.id, "kommentar", "comment", text="")
    assert empty_comment.status_code == 400 and 'id="comment-text-error"' in empty_comment.text
    _post(client, report.id, "status", "status", status="received")
    same = _post(client, report.id, "status", "status", status="received", text="Igen")
    assert same.status_code == 400 and 'id="status-status-error"' in same.text
    assert "Igen" in same.text
    no_body = _post(client, report.id, "overlamna", "reassign", body_id="")
    assert no_body.status_code == 400 and 'id="reassign-body_id-error"' in no_body.text
    for action in ("status", "svar", "kommentar", "stang", "overlamna"):  # a reload
        answer = client.get(f"{BASE}/{report.id}/{action}")
        assert answer.status_code == 302 and f"{BASE}/{report.id}#" in answer.location
    events = [e.kind for e in _fresh(report.id).events]
    assert events == [EventKind.SUBMITTED, EventKind.STATUS]


def test_a_change_made_meanwhile_is_a_conflict_shown_with_the_input_kept(
    app, frozen, staff, coordinator, make_report
):
    report = make_report()
    client = logged_in(app, staff)
    page = client.get(f"{BASE}/{report.id}").text
    seen = hidden_value(page, "reply-version")
    coordinators = logged_in(app, coordinator)
    _post(coordinators, report.id, "status", "status", status="in_progress", text="Vi tar den")
    late = _post(client, report.id, "svar", "reply", text="Tack för anmälan", version=seen)
    assert late.status_code == 409
    assert 'class="conflict"' in late.text and "Vi tar den" in late.text  # the other change
    assert "Tack för anmälan" in late.text  # the input is kept
    now_version = hidden_value(late.text, "reply-version")
    assert now_version == str(_fresh(report.id).version)  # sending again is on purpose
    again = _post(client, report.id, "svar", "reply", text="Tack", version=now_version)
    assert again.status_code == 302


# --- who sees and does what ------------------------------------------------------------------


def test_each_role_reads_and_handles_as_the_policy_says(
    app, frozen, make_user, make_council, council, member, police, coordinator, staff,
    other_staff, setup, client,
):  # fmt: skip
    report = report_service.submit(
        council.id,
        report_service.ReportData(
            setup["category"].id, "Torget", "Klotter på väggen", email=REPORTER
        ),
        NOW,
        photo=_photo(),
    )
    report_handling.comment(report, coordinator, SECRET_COMMENT, NOW)
    db.session.commit()
    stranger = make_user(Role.COORDINATOR, make_council())
    page_url, photo_url = f"{BASE}/{report.id}", f"{BASE}/{report.id}/foto"
    # what each reads: the queue, the page, the photo, the marks; the address, the internal
    # comment, the forms; and what a change answers
    expected = {
        member: ((200, 200, 200, 200), (False, True, False), 403),
        police: ((200, 200, 200, 200), (False, False, False), 403),
        coordinator: ((200, 200, 200, 200), (True, True, True), 302),
        staff: ((200, 200, 200, 403), (True, True, True), 302),
        other_staff: ((200, 404, 404, 403), None, 404),
        stranger: ((404, 404, 404, 404), None, 404),
    }
    for user, (reads, sees, handles) in expected.items():
        you = logged_in(app, user)
        answers = [you.get(url) for url in (f"{BASE}/", page_url, photo_url, f"{BASE}/trygghet")]
        for answer in answers:
            answer.close()  # the photo is a file
        assert [a.status_code for a in answers] == list(reads), user.name
        if sees is not None:
            page = answers[1].text
            shown = (REPORTER in page, SECRET_COMMENT in page, f"{report.id}/svar" in page)
            assert shown == sees, user.name
            assert f'src="{photo_url}"' in page
        answer = _post(you, report.id, "kommentar", "comment", text="En rad")
        assert answer.status_code == handles, user.name
        if user in (member, staff):  # where each lands; the body's staff see no measures
            menu = you.get(you.get("/").location).text
            home = f"{BASE}/" if user is staff else "/r/borlange/oversikt"
            assert you.get("/").location.endswith(home)
            assert f'href="{BASE}/"' in menu
            assert ('href="/r/borlange/"' in menu) is (user is member)
    assert client.get(page_url).status_code == 302  # to the login
    assert client.post(f"{page_url}/svar").status_code == 302
    plain = _fresh(report.id)
    plain.photo_id = None
    db.session.commit()
    assert logged_in(app, staff).get(photo_url).status_code == 404


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_filters_counts_and_pages(
    app, frozen, coordinator, staff, setup, make_report, make_place, council, monkeypatch
):
    monkeypatch.setattr(report_queue, "PAGE_SIZE", 2)
    torget = make_place(council, "Stora torget")
    reports = [make_report(address=f"Gata {n}", at=NOW - timedelta(days=n)) for n in range(1, 5)]
    reports[0].place_id = torget.id
    reports[1].body_id = None  # not routed
    reports[2].status, reports[2].is_open = ReportStatus.FIXED, False
    reports[3].description = "Krossad ruta 100% trasig"
    db.session.commit()
    client = logged_in(app, coordinator)

    def numbers(query: str = "") -> list[int]:
        page = client.get(f"{BASE}/?{query}")
        assert page.status_code == 200, page.text
        return [r.id for r in reports if f'href="{BASE}/{r.id}"' in page.text]

    ids = [r.id for r in reports]
    assert numbers() == ids[:2]  # open, newest first, two per page
    assert numbers("page=2") == [ids[3]]
    assert numbers("page=99") == [ids[3]]  # past the last: the last
    assert numbers("status=all&page=2") == ids[2:]
    assert numbers("status=fixed") == [ids[2]]
    assert numbers("body=none") == [ids[1]]
    assert numbers(f"body={setup['body'].id}&status=all&page=2") == [ids[3]]
    assert numbers(f"place={torget.id}") == [ids[0]]
    assert numbers("q=100%25") == [ids[3]]  # a % is searched for, not a wildcard
    assert numbers("q=GATA+2") == [ids[1]]
    day = (NOW - timedelta(days=3)).date().isoformat()
    assert numbers(f"start={day}&end={day}&status=all") == [ids[2]]
    page = client.get(f"{BASE}/").text
    for status, n in (("open", 3), ("fixed", 1), ("new", 3), ("all", 4)):
        assert re.search(rf'status={status}"[^>]*>[^<]*\({n}\)</a>', page), status
    bad = client.get(f"{BASE}/?q={'x' * 101}&status=nonsense&start=2025-13-45&body=none")
    assert bad.status_code == 400
    assert "x" * 101 in bad.text  # the input is kept
    assert f'href="{BASE}/{ids[1]}"' in bad.text  # the other filters still apply
    assert f'href="{BASE}/{ids[0]}"' not in bad.text
    # arguments the form does not know stay out of the tabs' links (url_for would choke on some)
    odd = client.get(f"{BASE}/?_method=POST&slug=falun&_external=1&q=Gata&page=x")
    assert odd.status_code == 200
    tabs = re.findall(r'href="([^"]*status=[^"]*)"', odd.text)
    assert tabs and all("_method" not in tab and "slug" not in tab for tab in tabs)
    assert all("q=Gata" in tab for tab in tabs)
    mine = logged_in(app, staff).get(f"{BASE}/?status=all").text
    assert f'href="{BASE}/{ids[1]}"' not in mine  # not their body's
    assert 'name="body"' not in mine


# --- a report made into a note or an action --------------------------------------------------


def test_a_report_becomes_a_situation_note_linked_to_it(
    app, frozen, member, make_report, make_place, make_category, council
):
    make_category(council, "Belysning")
    place = make_place(council, "Stationen", latitude=60.4855, longitude=15.4360)
    report = make_report(latitude=60.4855, longitude=15.4360)
    assert report.place_id == place.id
    client = logged_in(app, member)
    form = client.get(f"{BASE}/{report.id}/lagesbild").text
    assert "Gatlampan är släckt</textarea>" in form
    assert hidden_select(form, "source") == "resident"
    assert hidden_select(form, "place_id") == str(place.id)
    answer = client.post(
        f"{BASE}/{report.id}/lagesbild",
        data={
            "observed_from": "2025-03-08T10:00",
            "place_id": str(place.id),
            "category_id": hidden_select(form, "category_id"),
            "source": "resident",
            "text": "Gatlampan är släckt",
            "visibility": "internal",
            "measure_id": "",
        },
    )
    assert answer.status_code == 302, answer.text
    note = db.session.scalars(db.select(SituationNote)).one()
    assert _fresh(report.id).note_id == note.id
    assert client.get(f"{BASE}/{report.id}/lagesbild").location.endswith(f"/{note.id}")


def hidden_select(html: str, name: str) -> str:
    """The value of the selected option of select `name`."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select
    chosen = re.search(
        r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select[1]
    )
    assert chosen, f"nothing chosen in {name}"
    return chosen[1]


def test_a_report_becomes_an_action_of_the_coordinators(
    app, frozen, coordinator, member, make_report
):
    report = make_report(address="Stationsgatan 3")
    assert logged_in(app, member).get(f"{BASE}/{report.id}/atgard").status_code == 403
    client = logged_in(app, coordinator)
    form = client.get(f"{BASE}/{report.id}/atgard").text
    assert "Belysning: Stationsgatan 3" in form
    bad = client.post(f"{BASE}/{report.id}/atgard", data={"title": "", "owner_id": ""})
    assert bad.status_code == 400
    answer = client.post(
        f"{BASE}/{report.id}/atgard",
        data={
            "title": "Byt lampan vid Stationsgatan",
            "place_id": "",
            "owner_id": str(coordinator.id),
            "due_date": "2025-03-24",
            "measure_id": "",
        },
    )
    assert answer.status_code == 302, answer.text
    action = db.session.scalars(db.select(Action)).one()
    assert action.origin is ActionOrigin.REPORT and _fresh(report.id).action_id == action.id
    assert "Byt lampan vid Stationsgatan" in client.get(f"{BASE}/{report.id}").text


# --- the safety marks --------------------------------------------------------------------------


def test_the_safety_marks_are_counted_by_place_reason_and_time_of_day(
    app, frozen, police, council, make_place
):
    place = make_place(council, "Tunneln")
    marks = [
        (Feeling.UNSAFE, FeelingReason.LIGHTING, TimeOfDay.NIGHT, place.id, 1),
        (Feeling.UNSAFE, FeelingReason.LIGHTING, TimeOfDay.NIGHT, place.id, 2),
        (Feeling.UNSAFE, FeelingReason.GROUPS, TimeOfDay.EVENING, None, 3),
        (Feeling.SAFE, FeelingReason.GOOD, TimeOfDay.DAYTIME, place.id, 4),
        (Feeling.UNSAFE, FeelingReason.DRUGS, TimeOfDay.NIGHT, place.id, 200),  # too old
    ]
    for feeling, reason, when, place_id, days in marks:
        db.session.add(
            SafetyMark(
                council_id=council.id,
                feeling=feeling,
                time_of_day=when,
                reason=reason,
                address="Gångtunneln",
                place_id=place_id,
                comment="Mörkt",
                created_at=NOW - timedelta(days=days),
            )
        )
    db.session.commit()
    you = logged_in(app, police)
    figures = report_queue.mark_figures(
        _viewer(police), *report_queue.default_mark_period(NOW.date())
    )
    assert figures.total == 4
    assert figures.by_place[Feeling.UNSAFE][("Tunneln", FeelingReason.LIGHTING)] == 2
    assert figures.places[Feeling.UNSAFE] == ["Tunneln", ""]
    assert figures.by_time[(TimeOfDay.NIGHT, Feeling.UNSAFE)] == 2
    page = you.get(f"{BASE}/trygghet")
    assert page.status_code == 200 and "Tunneln" in page.text
    assert page.text.count("<td>Mörkt</td>") == 0 and page.text.count("Mörkt</td>") == 4
    older = you.get(f"{BASE}/trygghet?start=2024-01-01&end=2025-03-10").text
    assert older.count("Mörkt</td>") == 5
    assert you.get(f"{BASE}/trygghet?start=2025-03-10&end=2025-01-01").status_code == 400


def _viewer(user):
    from brott.policy import Viewer

    return Viewer.member(user.memberships[0])
