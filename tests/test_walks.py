"""Safety walks: planning, findings as actions, photos, answers, re-walks, the action plan."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from brott.extensions import db
from brott.models import (
    Action,
    ActionOrigin,
    ActionStatus,
    MeasureTool,
    Photo,
    Role,
)
from brott.models.walks import SafetyWalk, WalkFinding
from brott.services import actions as action_service
from brott.services import walks as service

from .conftest import hidden_value, logged_in
from .swedish import sv

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)  # a Monday morning
TODAY = date(2026, 5, 4)
BASE = "/r/borlange/trygghetsvandringar"


@pytest.fixture
def setting(
    frozen,
    council,
    coordinator,
    member,
    police,
    make_place,
    make_category,
    make_partner,
    make_measure,
):
    measure = make_measure(council, owners=[member], tool=MeasureTool.SAFETY_WALKS)
    return {
        "council": council,
        "coordinator": coordinator,
        "member": member,
        "police": police,
        "place": make_place(council, "Gångtunneln"),
        "other_place": make_place(council, "Hagaparken"),
        "category": make_category(council, "Belysning"),
        "partner": make_partner(council, "Borlänge Energi"),
        "measure": measure,
    }


def make_walk(s, **fields) -> SafetyWalk:
    data = service.WalkData(
        title=fields.pop("title", "Vandring i centrum"),
        area=fields.pop("area", "Centrum"),
        walk_date=fields.pop("walk_date", TODAY + timedelta(days=7)),
        **fields,
    )
    walk, _ = service.create_walk(s["council"].id, s["coordinator"], data, NOW)
    db.session.commit()
    return walk


def make_finding(s, walk, **fields) -> WalkFinding:
    data = service.FindingData(
        place_id=fields.pop("place_id", s["place"].id),
        description=fields.pop("description", "Trasig belysning i tunneln."),
        category_id=s["category"].id,
        action_title=fields.pop("action_title", "Byt armaturer"),
        owner_id=fields.pop("owner_id", s["member"].id),
        due_date=fields.pop("due_date", TODAY + timedelta(days=30)),
        **fields,
    )
    finding = service.add_finding(walk, s["coordinator"], data, NOW, TODAY)
    db.session.commit()
    return finding


def walk_form(**overrides) -> dict:
    data = {
        "title": "Vandring i Jakobsgårdarna",
        "area": "Jakobsgårdarna",
        "route": "Från skolan längs gångvägen till centrum.",
        "preparation_date": "2026-05-10",
        "walk_date": "2026-05-20",
        "follow_up_date": "2026-06-05",
        "other_participants": "8",
    }
    data.update(overrides)
    return data


def png(size=(40, 30)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    out.seek(0)
    return out


def test_a_coordinator_plans_a_walk_with_members_partners_and_residents(app, setting):
    s = setting
    client = logged_in(app, s["coordinator"])
    form = walk_form(
        participant_ids=[str(s["member"].id), str(s["police"].id)],
        partner_ids=[str(s["partner"].id)],
        place_id=str(s["place"].id),
        measure_id=str(s["measure"].id),
    )
    response = client.post(f"{BASE}/ny", data=form, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert sv(app, "The walk is saved.") in page
    assert "Borlänge Energi" in page
    walk = db.session.scalars(db.select(SafetyWalk)).one()
    assert (walk.area, walk.walk_date, walk.follow_up_date) == (
        "Jakobsgårdarna",
        date(2026, 5, 20),
        date(2026, 6, 5),
    )
    assert walk.participant_count == 2 + 1 + 8
    assert walk.measure_id == s["measure"].id and walk.place_id == s["place"].id


def test_a_late_follow_up_and_a_large_group_are_warned_of_but_saved(app, setting):
    client = logged_in(app, setting["coordinator"])
    form = walk_form(follow_up_date="2026-08-20", other_participants="24")
    page = client.post(f"{BASE}/ny", data=form, follow_redirects=True).get_data(as_text=True)
    assert sv(app, "The walk is saved.") in page
    assert "92" in page  # days between the walk and its follow-up, named in the warning
    assert (
        sv(
            app,
            "%(count)d participants: a safety walk works best with at most about %(limit)d people.",
            count=24,
            limit=20,
        )
        in page
    )
    assert db.session.scalar(db.select(db.func.count(SafetyWalk.id))) == 1


def test_dates_out_of_order_are_refused_on_their_fields_and_the_input_is_kept(app, setting):
    client = logged_in(app, setting["coordinator"])
    form = walk_form(preparation_date="2026-05-25", follow_up_date="2026-05-20")
    response = client.post(f"{BASE}/ny", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert sv(app, "The preparatory meeting comes before the walk.") in page
    assert sv(app, "The follow-up meeting comes after the walk.") in page
    assert 'id="preparation_date-error"' in page and 'id="follow_up_date-error"' in page
    assert "Från skolan längs gångvägen till centrum." in page
    form = walk_form(walk_date="", route="Ring 070-123 45 67 vid start")
    page = client.post(f"{BASE}/ny", data=form).get_data(as_text=True)
    assert sv(app, "Enter the date of the walk.") in page
    assert 'id="route-error"' in page and "070-123 45 67" in page
    assert db.session.scalar(db.select(db.func.count(SafetyWalk.id))) == 0


def test_a_finding_becomes_a_walk_action_of_its_owner_with_the_partner_named(app, setting):
    s = setting
    walk = make_walk(s, measure_id=s["measure"].id)
    db.session.rollback()
    client = logged_in(app, s["coordinator"])
    response = client.post(
        f"{BASE}/{walk.id}/fynd/ny",
        data={
            "place_id": str(s["place"].id),
            "category_id": str(s["category"].id),
            "description": "Mörkt i gångtunneln, två lampor trasiga.",
            "action_title": "Laga belysningen i gångtunneln",
            "owner_id": str(s["member"].id),
            "owner_partner_id": str(s["partner"].id),
            "due_date": "2026-06-15",
            "latitude": "60.4858",
            "longitude": "15.4371",
        },
    )
    assert response.status_code == 302
    finding = db.session.scalars(db.select(WalkFinding)).one()
    action = finding.action
    assert action.origin is ActionOrigin.WALK
    assert (action.owner_id, action.place_id, action.measure_id) == (
        s["member"].id,
        s["place"].id,
        s["measure"].id,
    )
    assert action.due_date == date(2026, 6, 15)
    assert finding.owner_partner_id == s["partner"].id and finding.latitude == 60.4858
    db.session.rollback()
    owner = logged_in(app, s["member"])
    assert "Laga belysningen i gångtunneln" in owner.get("/r/borlange/atgarder").get_data(
        as_text=True
    )
    page = owner.get(f"{BASE}/{walk.id}").get_data(as_text=True)
    assert "Borlänge Energi" in page and sv(app, "Unanswered") in page


def test_a_bad_finding_names_each_field_and_saves_nothing(app, setting):
    s = setting
    walk = make_walk(s)
    db.session.rollback()
    client = logged_in(app, s["coordinator"])
    response = client.post(
        f"{BASE}/{walk.id}/fynd/ny",
        data={
            "place_id": "",
            "category_id": str(s["category"].id),
            "description": "Personen med nummer 811218-9876 syntes där.",
            "action_title": "Följ upp",
            "owner_id": str(s["member"].id),
            "due_date": "2026-04-01",
            "latitude": "60.1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="place_id-error"' in page
    assert 'id="description-error"' in page and "811218-9876" in page
    assert sv(app, "The due date cannot be in the past.") in page
    assert sv(app, "Enter both latitude and longitude, or neither.") in page
    assert "Följ upp" in page  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 0
    assert db.session.scalar(db.select(db.func.count(WalkFinding.id))) == 0


def test_a_finding_photo_is_stored_and_served_only_within_the_council(
    app, setting, tmp_path, monkeypatch, make_council, make_user
):
    s = setting
    monkeypatch.setitem(app.config, "PHOTO_DIR", str(tmp_path))
    walk = make_walk(s)
    db.session.rollback()
    client = logged_in(app, s["coordinator"])
    data = {
        "place_id": str(s["place"].id),
        "category_id": str(s["category"].id),
        "description": "Klotter på väggen.",
        "action_title": "Sanera klottret",
        "owner_id": str(s["member"].id),
        "due_date": "2026-05-30",
    }
    refused = client.post(
        f"{BASE}/{walk.id}/fynd/ny",
        data={**data, "photo": (io.BytesIO(b"not an image at all"), "bild.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert 'id="photo-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(WalkFinding.id))) == 0
    saved = client.post(
        f"{BASE}/{walk.id}/fynd/ny",
        data={**data, "photo": (png(), "bild.png")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    finding = db.session.scalars(db.select(WalkFinding)).one()
    assert finding.photo is not None
    url = f"{BASE}/fynd/{finding.id}/foto"
    db.session.rollback()
    served = logged_in(app, s["police"]).get(url)
    assert served.status_code == 200 and served.mimetype.startswith("image/")
    assert Image.open(io.BytesIO(served.get_data())).size == (40, 30)
    served.close()
    stranger = make_user(Role.ADMIN, make_council())
    assert logged_in(app, stranger).get(url).status_code == 404
    assert db.session.scalar(db.select(db.func.count(Photo.id))) == 1


def test_an_answer_saved_meanwhile_is_not_overwritten_unseen(app, setting, make_user):
    s = setting
    finding = make_finding(s, make_walk(s))
    url, walk_url = f"{BASE}/fynd/{finding.id}/svar", f"{BASE}/{finding.walk_id}"
    other = make_user(Role.COORDINATOR, s["council"])
    db.session.rollback()
    first, second = logged_in(app, s["coordinator"]), logged_in(app, other)
    seen = hidden_value(second.get(walk_url).get_data(as_text=True), "seen")
    assert seen == ""  # no answer yet
    assert (
        first.post(url, data={"answer": "Energibolaget byter lampan.", "seen": ""}).status_code
        == 302
    )
    late = second.post(url, data={"answer": "Parkförvaltningen röjer buskarna.", "seen": seen})
    page = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Energibolaget byter lampan." in page and "Parkförvaltningen röjer buskarna." in page
    db.session.rollback()
    assert db.session.get(WalkFinding, finding.id).answer == "Energibolaget byter lampan."
    # having read theirs, the second may replace it on purpose
    again = second.post(url, data={"answer": "Båda två.", "seen": hidden_value(page, "seen")})
    assert again.status_code == 302
    db.session.rollback()
    assert db.session.get(WalkFinding, finding.id).answer == "Båda två."


def test_the_follow_up_answer_is_recorded_and_shown_on_the_walk_and_its_action_plan(app, setting):
    s = setting
    finding = make_finding(s, make_walk(s), owner_partner_id=s["partner"].id)
    url = f"{BASE}/fynd/{finding.id}/svar"
    walk_id = finding.walk_id
    db.session.rollback()
    client = logged_in(app, s["coordinator"])
    empty = client.post(url, data={"answer": "  "})
    assert empty.status_code == 400
    assert sv(app, "Write what the owner will do.") in empty.get_data(as_text=True)
    assert client.post(url, data={"answer": "Byter armaturer vecka 22."}).status_code == 302
    page = client.get(f"{BASE}/{walk_id}").get_data(as_text=True)
    assert sv(app, "Answered") in page and "Byter armaturer vecka 22." in page
    assert client.get(url).status_code == 302  # a reload goes back to the walk
    db.session.rollback()
    plan = logged_in(app, s["police"]).get(f"{BASE}/{walk_id}/handlingsplan")
    text = plan.get_data(as_text=True)
    assert plan.status_code == 200
    for expected in (
        "Byt armaturer",
        "Borlänge Energi",
        "Byter armaturer vecka 22.",
        "Gångtunneln",
    ):
        assert expected in text


def test_a_re_walk_copies_the_walk_and_shows_which_findings_were_fixed(app, setting):
    s = setting
    old = make_walk(s, route="Runt torget", participant_ids=[s["member"].id], other_participants=5)
    fixed = make_finding(s, old, action_title="Klipp buskarna")
    make_finding(s, old, place_id=s["other_place"].id, action_title="Sätt upp belysning")
    action_service.set_action_status(fixed.action, ActionStatus.DONE, "", NOW)
    db.session.commit()
    old_id = old.id
    db.session.rollback()
    client = logged_in(app, s["coordinator"])
    page = client.get(f"{BASE}/ny?fran={old_id}").get_data(as_text=True)
    assert "Runt torget" in page
    assert hidden_value(page, "previous_walk_id") == str(old_id)
    form = walk_form(
        title="Ny vandring",
        area="Centrum",
        walk_date="2026-10-01",
        preparation_date="",
        follow_up_date="",
        previous_walk_id=str(old_id),
    )
    response = client.post(f"{BASE}/ny", data=form)
    assert response.status_code == 302
    new = db.session.scalars(db.select(SafetyWalk).where(SafetyWalk.id != old_id)).one()
    assert new.previous_walk_id == old_id
    page = client.get(f"{BASE}/{new.id}").get_data(as_text=True)
    assert sv(app, "Fixed") in page and sv(app, "Not fixed") in page
    assert "Klipp buskarna" in page and "Sätt upp belysning" in page
    assert "Ny vandring" in client.get(f"{BASE}/{old_id}").get_data(as_text=True)


def test_editing_a_walk_saved_meanwhile_is_a_conflict(app, setting):
    s = setting
    walk = make_walk(s)
    db.session.rollback()
    client = logged_in(app, s["coordinator"])
    page = client.get(f"{BASE}/{walk.id}/redigera").get_data(as_text=True)
    version = hidden_value(page, "version")
    form = walk_form(version=version)
    assert client.post(f"{BASE}/{walk.id}/redigera", data=form).status_code == 302
    stale = client.post(f"{BASE}/{walk.id}/redigera", data={**form, "title": "Annan"})
    assert stale.status_code == 409
    db.session.rollback()
    assert db.session.get(SafetyWalk, walk.id).title == "Vandring i Jakobsgårdarna"


def test_everyone_in_the_council_reads_walks_and_only_who_manages_changes_them(
    app, setting, make_council, make_user
):
    s = setting
    finding = make_finding(s, make_walk(s))
    walk_id, finding_id = finding.walk_id, finding.id
    db.session.rollback()
    reading = (f"{BASE}/", f"{BASE}/{walk_id}", f"{BASE}/{walk_id}/handlingsplan")
    managing = (f"{BASE}/ny", f"{BASE}/{walk_id}/redigera", f"{BASE}/{walk_id}/fynd/ny")
    for who, manages in (("police", False), ("member", False), ("coordinator", True)):
        client = logged_in(app, s[who])
        for url in reading:
            assert client.get(url).status_code == 200, (who, url)
        for url in managing:
            assert client.get(url).status_code == (200 if manages else 403), (who, url)
        answered = client.post(f"{BASE}/fynd/{finding_id}/svar", data={"answer": "Ja"})
        assert answered.status_code == (302 if manages else 403), who
    assert app.test_client().get(reading[1]).status_code == 302  # to the login page
    stranger = logged_in(app, make_user(Role.ADMIN, make_council()))
    assert stranger.get(reading[1]).status_code == 404
    assert stranger.get(managing[1]).status_code == 404


def test_closed_share_counts_walk_actions_closed_by_the_day(app, setting):
    s = setting
    assert service.closed_share(s["council"].id, TODAY) is None
    walk = make_walk(s)
    first = make_finding(s, walk)
    make_finding(s, walk)
    make_finding(s, walk)
    action_service.set_action_status(first.action, ActionStatus.DONE, "", NOW + timedelta(days=2))
    db.session.commit()
    assert service.closed_share(s["council"].id, TODAY - timedelta(days=1)) is None
    assert service.closed_share(s["council"].id, TODAY) == 0
    assert service.closed_share(s["council"].id, TODAY + timedelta(days=2)) == pytest.approx(
        100 / 3
    )


def _add_walks(s, n: int) -> None:
    """`n` walks with a finding and its action each, straight into the tables."""
    for i in range(n):
        walk = SafetyWalk(
            council_id=s["council"].id,
            title=f"Vandring {i}",
            area=f"Område {i % 5}",
            place_id=s["place"].id,
            walk_date=TODAY - timedelta(days=i),
            other_participants=3,
            route="",
        )
        action = Action(
            council_id=s["council"].id,
            origin=ActionOrigin.WALK,
            title=f"Åtgärd {i}",
            owner_id=s["member"].id,
            due_date=TODAY,
            status=ActionStatus.DONE if i % 2 else ActionStatus.OPEN,
        )
        db.session.add(
            WalkFinding(
                council_id=s["council"].id,
                walk=walk,
                place_id=s["place"].id,
                description="Fynd",
                category_id=s["category"].id,
                action=action,
            )
        )
        db.session.add_all([walk, action])
    db.session.commit()


def test_the_walk_list_runs_as_many_statements_for_200_walks_as_for_10(app, setting):
    from .test_query_counts import _page_statements

    _add_walks(setting, 10)
    db.session.rollback()
    client = logged_in(app, setting["member"])
    at_10 = _page_statements(client, f"{BASE}/")
    _add_walks(setting, 190)
    db.session.rollback()
    at_200 = _page_statements(client, f"{BASE}/")
    assert at_200 == at_10
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert page.count("<tr>") == 201  # the header and one row per walk


def test_the_demo_walks_are_loaded_once_with_their_findings_actions_and_re_walk(
    app, frozen, make_council, make_user, make_measure, make_partner
):
    from brott.services import demo_walks

    council = make_council(slug="demo")
    make_partner(council, "Borlänge Energi")
    users = {
        email: make_user(role, council, email=email)
        for email, role in (
            ("admin@exempel.se", Role.ADMIN),
            ("samordnare@exempel.se", Role.COORDINATOR),
            ("ledamot@exempel.se", Role.MEMBER),
            ("polis@exempel.se", Role.POLICE),
        )
    }
    measures = {"Trygghetsvandringar": make_measure(council, title="Trygghetsvandringar")}
    for _ in range(2):
        demo_walks.load_demo(council, users, measures, NOW)
        db.session.commit()
    walks = db.session.scalars(db.select(SafetyWalk).order_by(SafetyWalk.walk_date)).all()
    assert len(walks) == 2
    done, rewalk = walks
    assert rewalk.previous_walk_id == done.id and rewalk.walk_date > TODAY
    assert len(done.findings) == 4 and all(f.answered for f in done.findings)
    assert sum(f.action.status is ActionStatus.DONE for f in done.findings) == 2
    assert done.measure_id == measures["Trygghetsvandringar"].id
    assert service.closed_share(council.id, TODAY) == 50
