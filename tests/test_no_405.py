"""A reload never answers 405: every URL a form posts to also answers GET.

A refused form renders its page at the URL it was posted to, so the browser's address bar
shows a POST-only URL; reloading it (or opening it from the history) sends a GET. Each such
URL answers that GET by sending the user to the page it belongs to, and changes nothing.
The rules are derived from `app.url_map`, so a new POST-only route is covered as it lands.
"""

from urllib.parse import urlsplit

import pytest
from werkzeug.routing import Rule

from brott.extensions import db
from brott.models import (
    Action,
    ActionStatus,
    Measure,
    Meeting,
    MeetingStatus,
    Membership,
    OutboxMessage,
    Place,
    Role,
    SituationNote,
    Visibility,
)
from brott.models.api_token import ApiToken

from .conftest import logged_in
from .report_objects import REPORT_VALUES, report_objects
from .tool_objects import PLAIN_VALUES, ids_of, tool_objects


def _posting_rules(app) -> list[Rule]:
    """Rules that take a POST (with or without GET), static files aside."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


@pytest.fixture
def objects(
    council,
    make_user,
    make_meeting,
    make_decision,
    make_note,
    make_place,
    make_measure,
    make_partner,
    make_api_token,
):
    """One object of each kind a posting URL names, in the council `borlange`."""
    admin = make_user(Role.ADMIN, council)
    make_api_token(admin)
    owner = make_user(Role.MEMBER, council)
    meeting = make_meeting(council, invitees=[owner])
    place = make_place(council)
    note = make_note(council, owner, place, visibility=Visibility.SHARED)
    action = make_decision(meeting, admin, owner=owner)
    membership = db.session.scalars(db.select(Membership).filter_by(user_id=owner.id)).one()
    ids = {
        "meeting_id": meeting.id,
        "action_id": action.id,
        "note_id": note.id,
        "membership_id": membership.id,
        "item_id": place.id,
        "place_id": place.id,
        "measure_id": make_measure(council, owners=[owner]).id,
        "partner_id": make_partner(council).id,
        "kind": "plats",
        "slug": council.slug,
        "token": "not-a-valid-token",
        "change": PLAIN_VALUES["change"],
        "token_id": db.session.scalars(db.select(ApiToken.id)).one(),
    }
    measure = db.session.get(Measure, ids["measure_id"])
    people = {"coordinator": admin, "member": owner}
    ids.update(ids_of(tool_objects(council, people, measure)))
    ids.update(ids_of(report_objects(council, people)) | REPORT_VALUES)
    db.session.rollback()
    return admin, ids


def _path(rule: Rule, ids: dict) -> str:
    missing = set(rule.arguments) - set(ids)
    assert not missing, f"teach {__name__} to fill {sorted(missing)} of {rule.rule}"
    return rule.build({name: ids[name] for name in rule.arguments})[1]


def test_every_post_only_url_answers_a_get_with_a_page_or_a_redirect(app, objects):
    admin, ids = objects
    rules = _posting_rules(app)
    # a POST-only rule whose URL another rule answers on GET is no reload trap (Open311's
    # POST /requests.json beside its GET, the request list)
    answered_on_get = {
        rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())
    }
    post_only = [
        rule
        for rule in rules
        if "GET" not in (rule.methods or ()) and rule.rule not in answered_on_get
    ]
    answers = {}
    for who, client in (("anonymous", app.test_client()), ("admin", logged_in(app, admin))):
        for rule in rules:
            path = _path(rule, ids)
            response = client.get(path)
            answers[(who, path)] = response.status_code
            assert response.status_code != 405, f"{who}: GET {path} → 405"
            assert response.status_code in (200, 302, 303, 404, 410), (who, path, response.status)
            if who == "admin" and response.status_code in (302, 303):
                # a logged-in reload lands on a page of the app, never back on itself
                assert urlsplit(response.location).path != path, path
    assert not post_only, f"POST-only rules left: {[rule.rule for rule in post_only]}"
    assert len(answers) == 2 * len(rules)


def test_a_get_of_a_posting_url_changes_nothing(app, objects):
    """The GET that answers a reload is no way round the form: nothing is deleted, toggled,
    sent or logged out."""
    admin, ids = objects
    outbox_before = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    db.session.rollback()
    client = logged_in(app, admin)
    for rule in _posting_rules(app):
        client.get(_path(rule, ids))
    assert db.session.get(SituationNote, ids["note_id"]) is not None
    assert db.session.get(Place, ids["item_id"]).active
    assert db.session.get(Membership, ids["membership_id"]).active
    assert db.session.get(Action, ids["action_id"]).status is ActionStatus.OPEN
    assert db.session.get(Meeting, ids["meeting_id"]).status is MeetingStatus.SCHEDULED
    assert db.session.get(ApiToken, ids["token_id"]).active
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == outbox_before
    db.session.rollback()
    # the GET of the logout URL logged nobody out
    assert client.get(f"/r/borlange/lagesbild/{ids['note_id']}").status_code == 200


def test_a_refused_decision_is_shown_at_its_form_and_a_reload_goes_back_to_the_meeting(
    app, objects
):
    admin, ids = objects
    client = logged_in(app, admin)
    path = f"/r/borlange/est/moten/{ids['meeting_id']}/beslut"
    refused = client.post(path, data={"title": "", "owner_id": "", "due_date": ""})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text and "data-error-summary" in refused.text
    assert f'action="{path}"' in refused.text
    reload = client.get(path)
    assert reload.status_code == 302
    assert reload.location.endswith(f"/r/borlange/est/moten/{ids['meeting_id']}#beslut")
    assert client.get(reload.location).status_code == 200
