"""No silent overwrite on any edit form: the meeting's agenda, moving and cancelling a
meeting, a situation note, an action's status, the retention period and a partner.

Each form carries the version it was loaded from. A save from an older version is refused
with 409: nothing is saved, the page shows what the other person saved, and what this
person typed is still in the form, whose version is now the current one, so a second save
is deliberate. A form without a version is always such a conflict.

Unique names and measure numbers: a save that loses a race against the unique constraint
gets the form's message (or the next number), never a server error.
"""

import html
import re
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy.exc import IntegrityError

from brott.errors import ConflictError, DomainError
from brott.extensions import db
from brott.models import (
    Action,
    ActionStatus,
    Council,
    Measure,
    Meeting,
    MeetingStatus,
    NoteCategory,
    NoteSource,
    PartnerOrganisation,
    Place,
    Role,
    SituationNote,
    Visibility,
)
from brott.services import actions as action_service
from brott.services import measures as measure_service
from brott.services import meetings as meeting_service
from brott.services import notes as note_service
from brott.services import partners as partner_service
from brott.services import places as place_service
from brott.services import retention as retention_service
from brott.services.places import PlaceData

from .conftest import hidden_value, logged_in

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # a Monday morning; the first meeting is Tuesday


@pytest.fixture
def meeting(frozen, council, make_meeting) -> Meeting:
    return make_meeting(council, now=NOW, first=date(2026, 1, 13))


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council, name="Anna Admin")


@pytest.fixture
def two(app, coordinator, admin):
    """Two people who may edit everything here, each in a browser of their own."""
    return logged_in(app, coordinator), logged_in(app, admin)


def conflict_text(app, message) -> str:
    """A message (lazy or a message id) as the pages show it, in Swedish."""
    with app.test_request_context(), force_locale("sv"):
        return gettext(message) if isinstance(message, str) else str(message)


def text_of(response) -> str:
    return html.unescape(response.text)


def box(page: str) -> str:
    """The "saved now" box of a refused page."""
    match = re.search(r'<div class="conflict" role="alert">(.*?)</div>', page, re.S)
    assert match, "no box showing what is saved now"
    return html.unescape(match.group(1))


def fresh(model, object_id):
    db.session.expire_all()
    found = db.session.get(model, object_id)
    db.session.rollback()  # end the test's read before the next request writes (SQLite)
    return found


# --- the meeting: agenda and situation summary -----------------------------------------------


def test_a_stale_agenda_is_refused_shows_what_is_saved_and_keeps_the_text(app, two, meeting):
    first, second = two
    page_url = f"/r/borlange/est/moten/{meeting.id}"
    url = page_url + "/dagordning"
    version = hidden_value(first.get(page_url).text, "version")
    assert hidden_value(second.get(page_url).text, "version") == version

    saved = first.post(
        url, data={"agenda": "1. Lägesbild", "situation_summary": "Lugnt", "version": version}
    )
    refused = second.post(
        url,
        data={"agenda": "1. Klotter", "situation_summary": "Oro vid torget", "version": version},
    )

    assert saved.status_code == 302
    assert refused.status_code == 409
    page = text_of(refused)
    assert conflict_text(app, meeting_service.CONFLICT_MESSAGE) in page
    assert "1. Lägesbild" in box(refused.text) and "Lugnt" in box(refused.text)
    assert "1. Klotter</textarea>" in page and "Oro vid torget</textarea>" in page
    stored = fresh(Meeting, meeting.id)
    assert (stored.agenda, stored.situation_summary) == ("1. Lägesbild", "Lugnt")

    # having seen it, the second person saves on purpose from the version now in the form
    again = second.post(
        url,
        data={
            "agenda": "1. Klotter",
            "situation_summary": "Oro vid torget",
            "version": hidden_value(refused.text, "version"),
        },
    )
    assert again.status_code == 302
    assert fresh(Meeting, meeting.id).agenda == "1. Klotter"


@pytest.mark.parametrize("version", [None, "", "x", "999"])
def test_an_agenda_without_the_right_version_saves_nothing(two, meeting, version):
    data = {"agenda": "Ny dagordning", "situation_summary": ""}
    if version is not None:
        data["version"] = version
    response = two[0].post(f"/r/borlange/est/moten/{meeting.id}/dagordning", data=data)
    assert response.status_code == 409
    assert fresh(Meeting, meeting.id).agenda == ""


def test_bad_agenda_input_is_a_400_not_a_conflict(two, meeting):
    response = two[0].post(
        f"/r/borlange/est/moten/{meeting.id}/dagordning",
        data={"agenda": "x" * 10001, "situation_summary": "", "version": str(meeting.version)},
    )
    assert response.status_code == 400
    assert 'class="conflict"' not in response.text
    assert fresh(Meeting, meeting.id).agenda == ""


@pytest.mark.parametrize("role", [Role.MEMBER, Role.POLICE])
def test_members_and_police_cannot_save_the_agenda_even_with_the_version(
    app, make_user, council, meeting, role
):
    client = logged_in(app, make_user(role, council))
    response = client.post(
        f"/r/borlange/est/moten/{meeting.id}/dagordning",
        data={"agenda": "x", "situation_summary": "", "version": str(meeting.version)},
    )
    assert response.status_code == 403
    assert fresh(Meeting, meeting.id).agenda == ""


# --- the meeting: moving and cancelling -----------------------------------------------------


def test_a_move_from_a_stale_page_is_refused_and_keeps_what_was_typed(app, two, meeting):
    first, second = two
    url = f"/r/borlange/est/moten/{meeting.id}/flytta"
    version = hidden_value(first.get(url).text, "version")
    assert hidden_value(second.get(url).text, "version") == version

    moved = first.post(
        url,
        data={
            "day": "2026-01-14",
            "time": "10:00",
            "location": "Polisstationen",
            "version": version,
        },
    )
    refused = second.post(
        url,
        data={"day": "2026-01-15", "time": "13:00", "location": "Stadshuset", "version": version},
    )

    assert moved.status_code == 302
    assert refused.status_code == 409
    page = text_of(refused)
    assert conflict_text(app, meeting_service.CONFLICT_MESSAGE) in page
    assert "Polisstationen" in box(refused.text)
    assert 'value="2026-01-15"' in page and 'value="Stadshuset"' in page
    stored = fresh(Meeting, meeting.id)
    assert stored.starts_at == datetime(2026, 1, 14, 9, 0, tzinfo=UTC)
    assert stored.location == "Polisstationen"


def test_a_cancel_from_a_stale_page_is_refused(app, two, meeting):
    first, second = two
    page_url = f"/r/borlange/est/moten/{meeting.id}"
    version = hidden_value(second.get(page_url).text, "version")
    first.post(
        page_url + "/dagordning",
        data={"agenda": "1. Lägesbild", "situation_summary": "", "version": version},
    )

    refused = second.post(page_url + "/stall-in", data={"version": version})

    assert refused.status_code == 409
    assert conflict_text(app, meeting_service.CONFLICT_MESSAGE) in text_of(refused)
    assert fresh(Meeting, meeting.id).status is MeetingStatus.SCHEDULED
    cancelled = second.post(
        page_url + "/stall-in", data={"version": hidden_value(refused.text, "version")}
    )
    assert cancelled.status_code == 302
    assert fresh(Meeting, meeting.id).status is MeetingStatus.CANCELLED


def test_a_cancel_without_a_version_cancels_nothing(two, meeting):
    response = two[0].post(f"/r/borlange/est/moten/{meeting.id}/stall-in")
    assert response.status_code == 409
    assert fresh(Meeting, meeting.id).status is MeetingStatus.SCHEDULED


def test_the_police_cannot_cancel_or_move_a_meeting(app, make_user, council, meeting):
    client = logged_in(app, make_user(Role.POLICE, council))
    version = str(meeting.version)
    url = f"/r/borlange/est/moten/{meeting.id}"
    assert client.post(url + "/stall-in", data={"version": version}).status_code == 403
    data = {"day": "2026-01-14", "time": "10:00", "location": "", "version": version}
    assert client.post(url + "/flytta", data=data).status_code == 403
    assert fresh(Meeting, meeting.id).status is MeetingStatus.SCHEDULED


# --- a situation note -----------------------------------------------------------------------


@pytest.fixture
def note(council, coordinator, make_place, make_category, make_note) -> SituationNote:
    return make_note(
        council,
        coordinator,
        make_place(council, "Torget"),
        make_category(council, "Klotter"),
        "Klotter på busskuren",
        observed_from=datetime(2026, 1, 10, 20, 0, tzinfo=UTC),
        visibility=Visibility.INTERNAL,
    )


def note_data(note: SituationNote, text: str, version: str) -> dict:
    return {
        "observed_from": "2026-01-10T21:00",
        "observed_to": "",
        "place_id": str(note.place_id),
        "category_id": str(note.category_id),
        "source": "safety_host",
        "text": text,
        "visibility": "internal",
        "measure_id": "",
        "version": version,
    }


def test_a_stale_note_edit_is_refused_shows_the_saved_text_and_keeps_the_typed(
    app, frozen, two, note
):
    first, second = two
    url = f"/r/borlange/lagesbild/{note.id}/redigera"
    version = hidden_value(first.get(url).text, "version")
    assert hidden_value(second.get(url).text, "version") == version

    saved = first.post(url, data=note_data(note, "Klotter sanerat av fastighetsägaren", version))
    refused = second.post(url, data=note_data(note, "Klotter även på elskåpet", version))

    assert saved.status_code == 302
    assert refused.status_code == 409
    page = text_of(refused)
    assert conflict_text(app, note_service.CONFLICT_MESSAGE) in page
    assert "Klotter sanerat av fastighetsägaren" in box(refused.text)
    assert "Klotter även på elskåpet</textarea>" in page
    assert fresh(SituationNote, note.id).text == "Klotter sanerat av fastighetsägaren"

    again = second.post(
        url, data=note_data(note, "Klotter även på elskåpet", hidden_value(refused.text, "version"))
    )
    assert again.status_code == 302
    assert fresh(SituationNote, note.id).text == "Klotter även på elskåpet"


def test_a_note_edit_without_a_version_saves_nothing(frozen, two, note):
    data = note_data(note, "Ändrat", "")
    del data["version"]
    response = two[0].post(f"/r/borlange/lagesbild/{note.id}/redigera", data=data)
    assert response.status_code == 409
    assert fresh(SituationNote, note.id).text == "Klotter på busskuren"


def test_a_note_deleted_while_being_edited_is_not_found(frozen, two, note):
    first, second = two
    url = f"/r/borlange/lagesbild/{note.id}"
    version = hidden_value(second.get(url + "/redigera").text, "version")
    assert first.post(url + "/ta-bort").status_code == 302
    response = second.post(url + "/redigera", data=note_data(note, "Ändrat", version))
    assert response.status_code == 404


def test_another_member_cannot_edit_a_note_with_its_version(app, frozen, make_user, council, note):
    client = logged_in(app, make_user(Role.MEMBER, council))
    response = client.post(
        f"/r/borlange/lagesbild/{note.id}/redigera", data=note_data(note, "Ändrat", "1")
    )
    assert response.status_code == 403
    assert fresh(SituationNote, note.id).text == "Klotter på busskuren"


# --- an action's status ---------------------------------------------------------------------


@pytest.fixture
def action(meeting, coordinator, member, make_decision) -> Action:
    return make_decision(meeting, coordinator, member, "Byt trasig belysning", now=NOW)


def status_version(page: str, action_id: int) -> str:
    form = re.search(rf'action="[^"]*/atgarder/{action_id}".*?</form>', page, re.S)
    assert form, "no status form for the action"
    match = re.search(r'name="version" value="(\d+)"', form.group(0))
    assert match, "the status form carries no version"
    return match.group(1)


def test_a_stale_status_change_is_refused_shows_what_is_saved_and_keeps_the_comment(
    app, frozen, two, action, meeting
):
    first, second = two
    meeting_page = f"/r/borlange/est/moten/{meeting.id}"
    version = status_version(first.get(meeting_page).text, action.id)
    assert status_version(second.get("/r/borlange/atgarder").text, action.id) == version
    url = f"/r/borlange/atgarder/{action.id}"

    saved = first.post(
        url,
        data={
            "status": "done",
            "comment": "Bytt i tisdags",
            "next": meeting_page,
            "meeting_id": str(meeting.id),
            "version": version,
        },
    )
    refused = second.post(
        url,
        data={
            "status": "delayed",
            "due_date": "2026-01-30",
            "comment": "Väntar på reservdel",
            "next": "/r/borlange/atgarder",
            "version": version,
        },
    )

    assert saved.status_code == 302 and saved.location == meeting_page
    assert refused.status_code == 409
    page = text_of(refused)
    assert conflict_text(app, action_service.CONFLICT_MESSAGE) in page
    assert "Klar" in box(refused.text) and "Bytt i tisdags" in box(refused.text)
    assert "Väntar på reservdel</textarea>" in page
    assert '<option selected value="delayed">' in page
    assert 'name="next" type="hidden" value="/r/borlange/atgarder"' in page
    stored = fresh(Action, action.id)
    assert (stored.status, stored.status_comment) == (ActionStatus.DONE, "Bytt i tisdags")

    again = second.post(
        url,
        data={
            "status": "delayed",
            "due_date": hidden_or_typed_date(refused.text),
            "comment": "Väntar på reservdel",
            "next": hidden_value(refused.text, "next"),
            "version": hidden_value(refused.text, "version"),
        },
    )
    assert again.status_code == 302 and again.location == "/r/borlange/atgarder"
    assert fresh(Action, action.id).status is ActionStatus.DELAYED


def test_a_status_change_without_a_version_changes_nothing(frozen, two, action):
    response = two[0].post(f"/r/borlange/atgarder/{action.id}", data={"status": "done"})
    assert response.status_code == 409
    assert fresh(Action, action.id).status is ActionStatus.OPEN


def hidden_or_typed_date(page: str) -> str:
    """The new due date the refused page kept in its date field."""
    match = re.search(r'name="due_date" type="date" value="([^"]*)"', page)
    assert match, "the page kept no new due date"
    return match.group(1)


def test_a_postponement_without_a_reason_keeps_the_choice_on_a_400_page(
    frozen, app, member, action
):
    client = logged_in(app, member)
    response = client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={
            "status": "delayed",
            "due_date": "2026-01-30",
            "comment": "",
            "version": str(action.version),
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Write why the action is postponed." in response.text
    assert 'value="2026-01-30"' in response.text
    assert '<option selected value="delayed">' in response.text
    assert 'class="conflict"' not in response.text
    assert fresh(Action, action.id).status is ActionStatus.OPEN


def test_the_police_cannot_change_someone_elses_action_with_its_version(
    frozen, app, police, action
):
    client = logged_in(app, police)
    response = client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={"status": "done", "comment": "", "version": str(action.version)},
    )
    assert response.status_code == 403
    assert fresh(Action, action.id).status is ActionStatus.OPEN


# --- the retention period -------------------------------------------------------------------


def test_a_stale_retention_period_is_refused_and_keeps_the_choice(app, council, admin, make_user):
    first, second = logged_in(app, admin), logged_in(app, make_user(Role.ADMIN, council))
    url = "/r/borlange/admin/gallring"
    version = hidden_value(first.get(url).text, "version")
    assert hidden_value(second.get(url).text, "version") == version

    saved = first.post(url, data={"months": "6", "version": version})
    refused = second.post(url, data={"months": "36", "version": version})

    assert saved.status_code == 302
    assert refused.status_code == 409
    page = text_of(refused)
    assert conflict_text(app, retention_service.CONFLICT_MESSAGE) in page
    assert "6 månader" in box(refused.text)
    assert '<option selected value="36">' in page
    assert fresh(Council, council.id).note_retention_months == 6


def test_a_retention_period_without_a_version_saves_nothing(app, council, admin):
    response = logged_in(app, admin).post("/r/borlange/admin/gallring", data={"months": "6"})
    assert response.status_code == 409
    assert fresh(Council, council.id).note_retention_months == 24


# --- a partner organisation -----------------------------------------------------------------


def test_a_stale_partner_edit_is_refused_and_keeps_what_was_typed(app, two, council, make_partner):
    partner = make_partner(council, name="Bostadsbolaget", kind="Fastighetsbolag")
    first, second = two
    url = f"/r/borlange/admin/partner/{partner.id}"
    version = hidden_value(first.get(url).text, "version")
    assert hidden_value(second.get(url).text, "version") == version

    saved = first.post(url, data={"name": "Tunabyggen", "kind": "Bostadsbolag", "version": version})
    refused = second.post(url, data={"name": "Bostadsbolaget AB", "kind": "", "version": version})

    assert saved.status_code == 302
    assert refused.status_code == 409
    page = text_of(refused)
    assert conflict_text(app, partner_service.CONFLICT_MESSAGE) in page
    assert "Tunabyggen" in box(refused.text) and "Bostadsbolag" in box(refused.text)
    assert 'value="Bostadsbolaget AB"' in page
    stored = fresh(PartnerOrganisation, partner.id)
    assert (stored.name, stored.kind) == ("Tunabyggen", "Bostadsbolag")

    again = second.post(
        url,
        data={"name": "Bostadsbolaget AB", "kind": "", "version": hidden_value(page, "version")},
    )
    assert again.status_code == 302
    assert fresh(PartnerOrganisation, partner.id).name == "Bostadsbolaget AB"


def test_a_partner_edit_without_a_version_saves_nothing(two, council, make_partner):
    partner = make_partner(council, name="Bostadsbolaget")
    response = two[0].post(f"/r/borlange/admin/partner/{partner.id}", data={"name": "Nytt"})
    assert response.status_code == 409
    assert fresh(PartnerOrganisation, partner.id).name == "Bostadsbolaget"


def test_a_member_cannot_edit_a_partner_with_its_version(app, make_user, council, make_partner):
    partner = make_partner(council, name="Bostadsbolaget")
    client = logged_in(app, make_user(Role.MEMBER, council))
    response = client.post(
        f"/r/borlange/admin/partner/{partner.id}", data={"name": "Nytt", "version": "1"}
    )
    assert response.status_code == 403
    assert fresh(PartnerOrganisation, partner.id).name == "Bostadsbolaget"


# --- a save between the check and the write -------------------------------------------------


def _saved_meanwhile(model, object_id: int, **changes) -> None:
    """Someone else's session saves the object and commits, while ours still holds it."""
    other = db.session.session_factory()
    try:
        theirs = other.get(model, object_id)
        for name, value in changes.items():
            setattr(theirs, name, value)
        other.commit()
    finally:
        other.close()


def test_the_version_column_catches_a_save_between_check_and_write(
    frozen, council, coordinator, meeting, action, note, make_partner
):
    """Each service checks the version it was given and writes with a conditional UPDATE;
    here the other save lands after our check would have passed, so only the UPDATE sees it."""
    partner = make_partner(council, name="Bostadsbolaget")
    viewer = _viewer(coordinator, council)
    edits = [
        (
            Meeting,
            meeting,
            {"agenda": "theirs"},
            lambda seen: meeting_service.update_agenda(meeting, "ours", "", NOW, seen_version=seen),
        ),
        (
            SituationNote,
            note,
            {"text": "theirs"},
            lambda seen: note_service.update_note(viewer, note, _note(note, "ours"), NOW, seen),
        ),
        (
            Action,
            action,
            {"status_comment": "theirs"},
            lambda seen: action_service.set_action_status(
                action, ActionStatus.DONE, "ours", NOW, seen_version=seen
            ),
        ),
        (
            PartnerOrganisation,
            partner,
            {"kind": "theirs"},
            lambda seen: partner_service.save_partner(
                council.id, "Bostadsbolaget", "ours", partner, seen_version=seen
            ),
        ),
        (
            Council,
            council,
            {"note_retention_months": 6},
            lambda seen: retention_service.set_retention(council, 12, seen),
        ),
    ]
    for model, obj, theirs, ours in edits:
        seen = obj.version  # loaded: our session holds this version in its identity map
        _saved_meanwhile(model, obj.id, **theirs)
        with pytest.raises(ConflictError):
            ours(seen)
        db.session.rollback()
        name, value = next(iter(theirs.items()))
        assert getattr(fresh(model, obj.id), name) == value, model.__name__


def _viewer(user, council):
    from brott import policy

    return policy.viewer_for(user, council.slug)


def _note(note: SituationNote, text: str) -> note_service.NoteData:
    return note_service.NoteData(
        observed_from=note.observed_from,
        place_id=note.place_id,
        category_id=note.category_id,
        source=NoteSource.SAFETY_HOST,
        text=text,
        visibility=Visibility.INTERNAL,
    )


# --- unique names and numbers under a constraint --------------------------------------------


@pytest.mark.parametrize("typed", ["torget", "TORGET", "  Torget ", "Tor  get"])
def test_a_place_name_is_compared_by_its_key(two, council, make_place, typed):
    make_place(council, "Torget" if typed != "Tor  get" else "Tor get")
    response = two[0].post("/r/borlange/platser/", data={"place-name": typed, "place-area": ""})
    assert response.status_code == 400
    assert "Det finns redan en plats med det namnet." in response.text
    assert f'value="{typed}"' in response.text


def test_a_place_inserted_meanwhile_with_the_same_name_is_a_form_message(
    two, council, make_place, monkeypatch
):
    """The check passed before the other insert committed: the constraint decides."""
    make_place(council, "Torget")
    monkeypatch.setattr(place_service, "_check_unique", lambda *args: None)
    response = two[0].post("/r/borlange/platser/", data={"place-name": "TORGET", "place-area": ""})
    assert response.status_code == 400
    assert "Det finns redan en plats med det namnet." in response.text
    assert [p.name for p in db.session.scalars(db.select(Place))] == ["Torget"]


def test_a_place_renamed_meanwhile_to_the_same_name_is_a_form_message(
    two, council, make_place, monkeypatch
):
    make_place(council, "Torget")
    other = make_place(council, "Stationen")
    monkeypatch.setattr(place_service, "_check_unique", lambda *args: None)
    response = two[0].post(
        f"/r/borlange/platser/{other.id}",
        data={"name": "torget", "area": "", "version": str(other.version)},
    )
    assert response.status_code == 200
    assert "Det finns redan en plats med det namnet." in response.text
    assert fresh(Place, other.id).name == "Stationen"


def test_a_lost_race_for_a_name_leaves_the_rest_of_the_work_usable(
    council, make_place, make_category, monkeypatch
):
    """The refused insert is undone by its SAVEPOINT alone; the unit of work goes on."""
    make_place(council, "Torget")
    make_category(council, "Klotter")
    monkeypatch.setattr(place_service, "_check_unique", lambda *args: None)
    kept = place_service.add_place(council.id, PlaceData("Stationen"))
    with pytest.raises(DomainError) as place_taken:
        place_service.add_place(council.id, PlaceData("torget"))
    with pytest.raises(DomainError) as category_taken:
        place_service.add_category(council.id, "KLOTTER")
    assert place_taken.value.field == category_taken.value.field == "name"
    assert place_taken.value.message == place_service._taken(Place)
    assert category_taken.value.message == place_service._taken(NoteCategory)
    db.session.commit()
    names = sorted(p.name for p in db.session.scalars(db.select(Place)))
    assert names == ["Stationen", "Torget"] and kept.id is not None
    assert db.session.scalar(db.select(db.func.count()).select_from(NoteCategory)) == 1


def test_a_partner_inserted_meanwhile_with_the_same_name_is_a_form_message(
    two, council, make_partner, monkeypatch
):
    make_partner(council, name="Tunabyggen")
    monkeypatch.setattr(partner_service, "_check_name", lambda *args: None)
    response = two[0].post("/r/borlange/admin/partner/ny", data={"name": "Tunabyggen"})
    assert response.status_code == 200
    assert "Det finns redan en organisation med det namnet." in response.text
    count = db.select(db.func.count()).select_from(PartnerOrganisation)
    assert db.session.scalar(count) == 1


def test_a_measure_number_taken_meanwhile_is_retried_with_the_next(
    council, coordinator, make_measure, monkeypatch
):
    """The other creations committed after our read of the highest number."""
    for number in (1, 2, 3):
        make_measure(council, number=number)
    reads = iter([1])  # a stale read first, then the truth
    real = measure_service._next_number
    monkeypatch.setattr(
        measure_service, "_next_number", lambda council_id: next(reads, None) or real(council_id)
    )
    measure = measure_service.create_measure(
        council.id, coordinator, measure_service.MeasureData(title="Ny insats"), NOW
    )
    db.session.commit()
    assert fresh(Measure, measure.id).number == 4
    assert fresh(Measure, measure.id).version == 1  # numbering is not an edit


def test_a_measure_that_finds_no_free_number_is_a_form_message(
    app, council, coordinator, make_measure, monkeypatch
):
    for number in (1, 2, 3):
        make_measure(council, number=number)
    monkeypatch.setattr(measure_service, "_next_number", lambda council_id: 1)
    monkeypatch.setattr(measure_service, "NUMBER_ATTEMPTS", 2)
    response = logged_in(app, coordinator).post(
        "/r/borlange/insatser/ny", data={"title": "Ny insats", "category": ""}
    )
    assert response.status_code == 200
    message = "Many measures are being created right now. Try again in a moment."
    assert conflict_text(app, message) in text_of(response)
    titles = db.select(Measure.title).where(Measure.council_id == council.id)
    assert "Ny insats" not in db.session.scalars(titles).all()


def test_the_database_refuses_a_second_measure_with_the_same_number(council, make_measure):
    make_measure(council, number=7)
    with pytest.raises(IntegrityError):
        make_measure(council, number=7)
    db.session.rollback()
