"""The audit log: who saw and changed what, with before → after values, never a secret, and
no way to change or remove an entry."""

import html
import json
import re
from datetime import UTC, date, datetime

import pytest

from brott.extensions import db
from brott.models import (
    AuditEntry,
    Membership,
    NoteSource,
    Role,
    SituationNote,
    User,
    Visibility,
)
from brott.services import calendar as calendar_service
from brott.services import meetings as meeting_service

from .conftest import PASSWORD, hidden_value, login

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # a Monday morning in winter


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council, name="Maja Lind", email="admin@exempel.se")


@pytest.fixture
def member(make_user, council):
    return make_user(Role.MEMBER, council, name="Sara Holm", email="sara@exempel.se")


@pytest.fixture
def police(make_user, council):
    return make_user(Role.POLICE, council, name="Johan Berg", email="polis@exempel.se")


@pytest.fixture
def lists(council, make_place, make_category):
    return make_place(council, "Resecentrum"), make_category(council, "Klotter")


def entries(**criteria) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(db.select(AuditEntry).filter_by(**criteria).order_by(AuditEntry.id))
    )


def note_form(lists, **overrides) -> dict:
    place, category = lists
    data = {
        "observed_from": "2026-01-11T22:00",
        "observed_to": "",
        "place_id": str(place.id),
        "category_id": str(category.id),
        "source": "city_host",
        "text": "Klotter i gångtunneln",
        "visibility": "shared",
        "measure_id": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def stored_note(make_note, council, lists):
    """The note `note_form` describes, as stored: 22:00 on 11 January in Stockholm."""
    place, category = lists

    def add(author, visibility=Visibility.SHARED) -> SituationNote:
        return make_note(
            council,
            author,
            place,
            category,
            "Klotter i gångtunneln",
            datetime(2026, 1, 11, 21, 0, tzinfo=UTC),
            visibility,
            NoteSource.CITY_HOST,
        )

    return add


def log_rows(page: str) -> list[tuple[str, str, str]]:
    """(who, event, object type) per row of the audit log page, as the page words them."""
    body = re.search(r'<table class="audit">.*?<tbody>(.*?)</tbody>', page, re.S)[1]
    return [
        (html.unescape(who), html.unescape(event), html.unescape(kind))
        for who, event, kind in re.findall(
            r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<#]*?)"
            r"(?: #\d+)?(?:<br>|</td>)",
            body,
        )
    ]


# --- changes ------------------------------------------------------------------------------


def test_writing_editing_and_deleting_a_note_is_audited_with_before_and_after(
    client, frozen, council, member, lists
):
    login(client, member)
    client.post("/r/borlange/lagesbild/ny", data=note_form(lists))
    note_id = db.session.scalars(db.select(SituationNote.id)).one()
    edit_url = f"/r/borlange/lagesbild/{note_id}/redigera"
    version = hidden_value(client.get(edit_url).text, "version")
    client.post(
        edit_url,
        data={**note_form(lists, text="Klotter i gångtunneln, sanerat"), "version": version},
    )
    client.post(f"/r/borlange/lagesbild/{note_id}/ta-bort")

    created, updated, deleted = entries(object_type="note")
    for entry in (created, updated, deleted):
        assert (entry.actor_id, entry.actor_label) == (member.id, member.email)
        assert entry.council_id == council.id
    assert updated.object_id == deleted.object_id == created.after["id"] == note_id
    assert [e.action for e in (created, updated, deleted)] == ["create", "update", "delete"]
    assert created.before is None
    assert created.after["text"] == "Klotter i gångtunneln"
    assert created.after["visibility"] == "shared"
    assert created.after["author_id"] == member.id
    # only what changed, old value → new value
    assert updated.before == {"text": "Klotter i gångtunneln"}
    assert updated.after == {"text": "Klotter i gångtunneln, sanerat"}
    # the log keeps what a deleted note said
    assert deleted.before["text"] == "Klotter i gångtunneln, sanerat"
    assert deleted.after is None


def test_saving_a_note_unchanged_writes_no_update_entry(
    client, frozen, council, member, lists, stored_note
):
    note = stored_note(member)
    login(client, member)
    response = client.post(
        f"/r/borlange/lagesbild/{note.id}/redigera",
        # 21:00 UTC, as stored
        data={**note_form(lists, observed_from="2026-01-11T22:00"), "version": str(note.version)},
    )
    assert response.status_code == 302
    assert entries(object_type="note", action="update") == []


def test_a_measure_update_is_journaled_and_audited(client, frozen, council, member, make_measure):
    from brott.models import MeasureStatus, MeasureUpdate

    measure = make_measure(council, owners=[member], status=MeasureStatus.PLANNED, progress=0)
    login(client, member)
    url = f"/r/borlange/insatser/{measure.id}/uppdatera"
    response = client.post(
        url,
        data={
            "status": "ongoing",
            "progress": "25",
            "comment": "Första passen är bemannade.",
            "version": hidden_value(client.get(url).text, "version"),
        },
    )

    assert response.status_code == 302
    [journal] = db.session.scalars(db.select(MeasureUpdate).filter_by(measure_id=measure.id))
    assert journal.comment == "Första passen är bemannade."
    [entry] = entries(object_type="measure", action="update")
    assert (entry.object_id, entry.council_id, entry.actor_id) == (
        measure.id,
        council.id,
        member.id,
    )
    assert entry.before == {"status": "planned", "progress": 0}
    assert entry.after == {"status": "ongoing", "progress": 25}
    assert entry.summary == measure.title


def test_moving_a_meeting_and_deciding_an_action_are_audited(
    client, frozen, council, coordinator, member, lists, make_series
):
    series = make_series(council, now=NOW, first=date(2026, 1, 13))
    [created_series] = entries(object_type="meeting_series", action="create")
    assert created_series.after["id"] == series.id and created_series.actor_label == "system"
    first, second = meeting_service.upcoming_meetings(council.id, NOW)[:2]
    login(client, coordinator)

    move_url = f"/r/borlange/est/moten/{second.id}/flytta"
    version = hidden_value(client.get(move_url).text, "version")
    moved = client.post(
        move_url,
        data={
            "day": "2026-01-28",
            "time": "13:00",
            "location": "Polisstationen",
            "version": version,
        },
    )
    decided = client.post(
        f"/r/borlange/est/moten/{first.id}/beslut",
        data={
            "title": "Extra kvällsrond vid Resecentrum",
            "place_id": str(lists[0].id),  # Resecentrum
            "owner_id": str(member.id),
            "due_date": "2026-01-20",
            "measure_id": "",
        },
    )

    assert moved.status_code == 302 and decided.status_code == 302
    [move] = entries(object_type="meeting", action="update", object_id=second.id)
    assert move.actor_id == coordinator.id and move.council_id == council.id
    assert datetime.fromisoformat(move.before["starts_at"]) == datetime(
        2026, 1, 27, 8, 0, tzinfo=UTC
    )
    assert datetime.fromisoformat(move.after["starts_at"]) == datetime(
        2026, 1, 28, 12, 0, tzinfo=UTC
    )
    assert move.after["location"] == "Polisstationen"
    [action] = entries(object_type="action", action="create")
    assert action.actor_id == coordinator.id and action.council_id == council.id
    assert action.after["title"] == "Extra kvällsrond vid Resecentrum"
    assert action.after["owner_id"] == member.id
    assert action.after["place_id"] == lists[0].id
    assert action.after["meeting_id"] == first.id


def test_an_admin_changing_a_role_and_adding_a_user_is_audited_without_secrets(
    client, council, admin, member
):
    membership = db.session.scalars(
        db.select(Membership).filter_by(user_id=member.id, council_id=council.id)
    ).one()
    login(client, admin)

    changed = client.post(
        f"/r/borlange/admin/medlemskap/{membership.id}",
        data={"role": "coordinator", "active": "y", "version": str(membership.version)},
    )
    added = client.post(
        "/r/borlange/admin/anvandare/ny",
        data={
            "email": "ny.person@exempel.se",
            "name": "Ny Person",
            "role": "member",
        },
    )

    assert changed.status_code == 302 and added.status_code == 302
    [role] = entries(object_type="membership", action="update")
    assert (role.object_id, role.council_id, role.actor_id, role.actor_label) == (
        membership.id,
        council.id,
        admin.id,
        admin.email,
    )
    assert role.before == {"role": "member"} and role.after == {"role": "coordinator"}

    new_user = db.session.scalars(db.select(User).filter_by(email="ny.person@exempel.se")).one()
    [user_entry] = [
        e for e in entries(object_type="user", action="create") if e.after["id"] == new_user.id
    ]
    assert user_entry.actor_id == admin.id
    assert user_entry.after["email"] == "ny.person@exempel.se"
    assert user_entry.after["password_hash"] == "***"
    [new_membership] = [
        e
        for e in entries(object_type="membership", action="create")
        if e.after["user_id"] == new_user.id
    ]
    assert new_membership.actor_id == admin.id
    assert new_membership.after["role"] == "member"
    assert new_membership.council_id == council.id
    everything = all_audit_text()
    assert new_user.password_hash not in everything
    assert "hemligt-lösen-123" not in everything


def test_a_create_entry_names_the_object_it_created(client, frozen, council, admin, member, lists):
    login(client, member)
    client.post("/r/borlange/lagesbild/ny", data=note_form(lists))
    note_id = db.session.scalars(db.select(SituationNote.id)).one()
    [created] = entries(object_type="note", action="create")
    # entries are found by object_id and the log page shows "note #<id>": a create entry must
    # carry the new row's id as update and delete entries do
    assert created.object_id == note_id
    login(client, admin)
    page = client.get("/r/borlange/admin/logg?handelse=create&typ=note").text
    assert f"Anteckning #{note_id}" in page


def all_audit_text() -> str:
    db.session.expire_all()
    return json.dumps(
        [
            [e.actor_label, e.summary, e.before, e.after]
            for e in db.session.scalars(db.select(AuditEntry))
        ],
        ensure_ascii=False,
    )


def test_secrets_are_never_stored_when_they_change(app, council, member):
    old_hash = member.password_hash
    member.set_password("ett-helt-nytt-lösenord")
    db.session.commit()
    token = calendar_service.enable_feed(member)
    db.session.commit()

    password_change, token_change = entries(object_type="user", action="update")
    assert password_change.before == {"password_hash": "***"}
    assert password_change.after == {"password_hash": "***"}
    assert token_change.before == {"calendar_token": "***"}
    assert token_change.after == {"calendar_token": "***"}
    everything = all_audit_text()
    for secret in (old_hash, member.password_hash, token):
        assert secret not in everything


# --- logins and reads ---------------------------------------------------------------------


def test_logins_and_failed_logins_are_recorded_with_the_known_account(client, app, member):
    assert login(client, member, password="fel-lösenord-999").status_code == 200
    assert (
        client.post(
            "/logga-in", data={"email": "okand@exempel.se", "password": "gissning-123"}
        ).status_code
        == 200
    )
    assert login(client, member).status_code == 302

    wrong, unknown = entries(action="login_failed")
    assert (wrong.actor_id, wrong.actor_label) == (member.id, member.email)
    assert wrong.summary == member.email
    assert unknown.actor_id is None and unknown.summary == "okand@exempel.se"
    [success] = entries(action="login")
    assert (success.actor_id, success.actor_label) == (member.id, member.email)
    everything = all_audit_text()
    for password in ("fel-lösenord-999", "gissning-123", PASSWORD):
        assert password not in everything


def test_an_inactive_account_logging_in_is_a_failed_login(client, app, make_user):
    user = make_user(active=False)
    assert login(client, user).status_code == 200
    [entry] = entries(action="login_failed")
    assert entry.actor_id == user.id
    assert entries(action="login") == []


def test_every_time_the_police_open_a_shared_note_it_is_recorded(
    client, app, council, coordinator, member, police, stored_note
):
    note = stored_note(coordinator)
    login(client, police)
    assert client.get(f"/r/borlange/lagesbild/{note.id}").status_code == 200
    assert client.get(f"/r/borlange/lagesbild/{note.id}").status_code == 200
    client.get("/r/borlange/lagesbild/")  # the list is not a read of one note

    views = entries(action="view")
    assert len(views) == 2
    for view in views:
        assert (view.actor_id, view.actor_label) == (police.id, police.email)
        assert (view.object_type, view.object_id, view.council_id) == ("note", note.id, council.id)

    login(client, member)
    assert client.get(f"/r/borlange/lagesbild/{note.id}").status_code == 200
    assert len(entries(action="view")) == 2  # the municipality's own reads are not logged


def test_a_police_request_for_an_internal_note_leaves_no_read_entry(
    client, app, council, coordinator, police, stored_note
):
    note = stored_note(coordinator, Visibility.INTERNAL)
    login(client, police)
    assert client.get(f"/r/borlange/lagesbild/{note.id}").status_code == 404
    assert entries(action="view") == []


# --- the log page -------------------------------------------------------------------------


def test_the_admin_sees_the_log_and_filters_it_by_event_and_type(
    client, frozen, council, admin, member, police, lists, stored_note, make_measure
):
    note = stored_note(member)
    make_measure(council, title="Trygghetsvärdar")
    login(client, police)
    client.get(f"/r/borlange/lagesbild/{note.id}")
    login(client, member)
    client.post(
        f"/r/borlange/lagesbild/{note.id}/redigera",
        data={**note_form(lists, text="Ny text om tunneln"), "version": str(note.version)},
    )
    login(client, admin)

    page = client.get("/r/borlange/admin/logg")
    assert page.status_code == 200
    rows = log_rows(page.text)
    assert ("sara@exempel.se", "Ändrad", "Anteckning") in rows
    assert ("polis@exempel.se", "Läst av polisen", "Anteckning") in rows
    assert ("system", "Skapad", "Insats") in rows
    assert "text: Klotter i gångtunneln → Ny text om tunneln" in html.unescape(page.text)
    assert "Loggen kan inte ändras eller raderas." in page.text

    assert log_rows(client.get("/r/borlange/admin/logg?handelse=view").text) == [
        ("polis@exempel.se", "Läst av polisen", "Anteckning")
    ]
    assert set(log_rows(client.get("/r/borlange/admin/logg?typ=measure").text)) == {
        ("system", "Skapad", "Insats")
    }
    assert log_rows(client.get("/r/borlange/admin/logg?handelse=update&typ=note").text) == [
        ("sara@exempel.se", "Ändrad", "Anteckning")
    ]
    assert log_rows(client.get("/r/borlange/admin/logg?handelse=delete").text) == []
    assert "Inga händelser." in client.get("/r/borlange/admin/logg?handelse=delete").text
    selected = client.get("/r/borlange/admin/logg?handelse=view&typ=note").text
    assert '<option value="view" selected>' in selected
    assert '<option value="note" selected>' in selected


def test_the_log_page_shows_only_the_councils_own_entries(
    client, council, admin, make_council, make_user, make_measure
):
    other = make_council(slug="falun")
    make_measure(other, title="Falu insats")
    make_measure(council, title="Borlänge insats")
    login(client, admin)
    page = html.unescape(client.get("/r/borlange/admin/logg").text)
    assert "Borlänge insats" in page
    assert "Falu insats" not in page


def test_the_log_page_offers_the_login_filters_and_shows_the_councils_logins(
    client, council, admin, member
):
    # the page offers "Inloggning", "Misslyckad inloggning" and "Användare" as filters, so a
    # member's logins and an account added by the admin must be findable there
    login(client, member, password="fel-lösenord-999")
    login(client, member)
    login(client, admin)
    client.post(
        "/r/borlange/admin/anvandare/ny",
        data={
            "email": "ny.person@exempel.se",
            "name": "Ny Person",
            "role": "member",
        },
    )

    logins = client.get("/r/borlange/admin/logg?handelse=login").text
    assert '<option value="login" selected>' in logins
    assert ("sara@exempel.se", "Inloggning", "") in log_rows(logins)
    failed = log_rows(client.get("/r/borlange/admin/logg?handelse=login_failed").text)
    assert ("sara@exempel.se", "Misslyckad inloggning", "") in failed
    users = log_rows(client.get("/r/borlange/admin/logg?typ=user").text)
    assert ("admin@exempel.se", "Skapad", "Användare") in users


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER, Role.POLICE])
def test_only_admins_may_read_the_log(client, council, make_user, role):
    login(client, make_user(role, council))
    assert client.get("/r/borlange/admin/logg").status_code == 403
    assert client.get("/r/borlange/admin/logg?handelse=view").status_code == 403


def test_an_admin_of_another_council_gets_404_for_this_councils_log(
    client, council, make_council, make_user
):
    login(client, make_user(Role.ADMIN, make_council(slug="falun")))
    assert client.get("/r/borlange/admin/logg").status_code == 404


def test_no_route_changes_or_removes_log_entries(app, client, council, admin):
    writing = {"POST", "PUT", "PATCH", "DELETE"}
    for rule in app.url_map.iter_rules():
        if "/admin/logg" in rule.rule:
            assert not (rule.methods & writing), rule
        assert "audit" not in rule.endpoint or rule.endpoint == "admin.audit_log", rule

    login(client, admin)
    entry_count = len(entries())
    for method in (client.post, client.put, client.patch, client.delete):
        response = method("/r/borlange/admin/logg", data={"handelse": "login"})
        assert response.status_code == 405
        assert "Metoden är inte tillåten" in response.text
    assert len(entries()) == entry_count
    assert client.post(f"/r/borlange/admin/logg/{entries()[0].id}").status_code == 404
