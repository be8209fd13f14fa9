"""The read-only JSON API and its personal tokens: made, shown once, stored hashed, revoked;
every call refused without a valid token in the API's JSON error shape; the policy through a
token (a member reads what the pages show them, the police the shared notes only, logged);
pages, ETags, and a sweep that no answer to a police token holds anything internal."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from brott.extensions import db
from brott.models import (
    AuditEntry,
    CitizenPromise,
    Council,
    Measure,
    MeasureStatus,
    Membership,
    Role,
    SituationNote,
    User,
    Visibility,
    utcnow,
)
from brott.models.api_token import ApiToken
from brott.models.indicators import Indicator, IndicatorValue
from brott.services import api_reads, api_tokens
from brott.services import measures as measure_service

from .conftest import hidden_value, logged_in
from .report_objects import INTERNAL_COMMENT, REPORTER_EMAIL, STAFF_NAME, report_objects
from .test_admin import csrf_login
from .test_query_counts import counted_statements
from .tool_objects import tool_objects

API = "/api/v1"
ENGLISH = {"Accept-Language": "en"}
TOKEN_PATTERN = re.compile(r"brott_[A-Za-z0-9_-]{20,}")


def call(app, token: str | None, path: str, **headers: str):
    """A GET of the API with `token` (none: no Authorization header), in English."""
    sent = {**ENGLISH, **headers}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return app.test_client().get(path, headers=sent)


def assert_error(response, status: int, code: str) -> dict:
    """The answer is the API's JSON error with `status`; its detail."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    detail = response.get_json()["error"]
    assert detail["status"] == status and detail["code"] == code
    assert detail["message"]
    return detail


# --- a council with one of everything ----------------------------------------------------------


@pytest.fixture
def world(
    app,
    council,
    coordinator,
    member,
    police,
    make_council,
    make_user,
    make_measure,
    make_meeting,
    make_decision,
    make_note,
    make_place,
    make_category,
    make_api_token,
):
    now = utcnow()
    admin = make_user(Role.ADMIN, council)
    body_staff = make_user(Role.BODY_STAFF, council)
    outsider = make_user(Role.COORDINATOR, make_council(slug="falun"))
    switched_off = make_user(Role.MEMBER, council)
    membership = db.session.scalars(db.select(Membership).filter_by(user_id=switched_off.id)).one()
    membership.active = False
    promise = CitizenPromise(
        council_id=council.id,
        title="Medborgarlöfte 2025",
        goal="Tryggare centrum",
        municipality="Borlänge",
        police_area="Borlänge",
        period_start=(now - timedelta(days=30)).date(),
        period_end=(now + timedelta(days=335)).date(),
    )
    db.session.add(promise)
    db.session.commit()
    measure = make_measure(council, owners=[member], promise_id=promise.id, title="Trygghetsvärdar")
    measure_service.record_update(
        measure, member, MeasureStatus.ONGOING, 40, "Halvvägs", now, measure.version
    )
    indicator = Indicator(council_id=council.id, measure_id=measure.id, name="Pass", target=20.0)
    indicator.values = [
        IndicatorValue(council_id=council.id, on_date=now.date(), value=7.0, comment="Mars")
    ]
    db.session.add(indicator)
    db.session.commit()
    meeting = make_meeting(council, invitees=[member, police])
    action = make_decision(meeting, coordinator, owner=police, title="Belysning vid torget")
    place, category = make_place(council, "Resecentrum"), make_category(council, "Klotter")
    shared = make_note(council, police, place, category, "Delad iakttagelse")
    internal = make_note(
        council, member, place, category, "Intern iakttagelse", visibility=Visibility.INTERNAL
    )
    people = {
        "admin": admin,
        "coordinator": coordinator,
        "member": member,
        "police": police,
        "body_staff": body_staff,
        "other council": outsider,
        "switched off": switched_off,
    }
    tokens = {name: make_api_token(user) for name, user in people.items()}
    return {
        "council": council,
        "people": people,
        "tokens": tokens,
        "measure": measure,
        "promise": promise,
        "meeting": meeting,
        "action": action,
        "shared": shared,
        "internal": internal,
    }


# --- the tokens page -----------------------------------------------------------------------------


def _made_token(page: str) -> str:
    found = TOKEN_PATTERN.search(page)
    assert found, "no new token on the page"
    return found.group(0)


def test_a_token_is_shown_once_and_stored_only_as_its_hash(app, member):
    client = logged_in(app, member)
    made = client.post("/konto/api-nycklar/", data={"name": "Mitt skript"})
    assert made.status_code == 200
    raw = _made_token(made.text)
    stored = db.session.scalars(db.select(ApiToken).filter_by(user_id=member.id)).one()
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.prefix == raw[: api_tokens.PREFIX_LENGTH] and len(stored.prefix) == 12
    assert stored.name == "Mitt skript" and stored.active and stored.last_used_at is None
    # nowhere in the database but as its hash: not in any row of any table
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                assert raw not in repr(tuple(row)), table.name
    listed = client.get("/konto/api-nycklar/")
    assert listed.status_code == 200
    assert raw not in listed.text and not TOKEN_PATTERN.search(listed.text)
    assert "Mitt skript" in listed.text and stored.prefix in listed.text
    assert call(app, raw, f"{API}/councils").status_code == 200


def test_the_profile_page_links_to_the_tokens(app, member):
    page = logged_in(app, member).get("/konto").text
    assert 'href="/konto/api-nycklar/"' in page


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Give the token a name"), ("   ", "Give the token a name"), ("x" * 81, "at most 80")],
)
def test_a_token_needs_a_short_name_and_the_input_is_kept(app, member, name, message):
    client = logged_in(app, member)
    refused = client.post("/konto/api-nycklar/", data={"name": name}, headers=ENGLISH)
    assert refused.status_code == 400
    assert message in refused.text
    assert not TOKEN_PATTERN.search(refused.text)
    if name.strip():
        assert f'value="{name}"' in refused.text
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_a_revoked_token_no_longer_works_and_only_its_owner_revokes_it(
    app, member, police, make_api_token
):
    raw = make_api_token(member)
    theirs = make_api_token(police)
    mine = db.session.scalars(db.select(ApiToken).filter_by(user_id=member.id)).one()
    other = db.session.scalars(db.select(ApiToken).filter_by(user_id=police.id)).one()
    client = logged_in(app, member)
    # a reload of the button's URL revokes nothing; another user's token is not found
    assert client.get(f"/konto/api-nycklar/{mine.id}/aterkalla").status_code == 302
    assert client.post(f"/konto/api-nycklar/{other.id}/aterkalla").status_code == 404
    assert client.post("/konto/api-nycklar/2000000/aterkalla").status_code == 404
    db.session.rollback()
    assert db.session.get(ApiToken, mine.id).active and db.session.get(ApiToken, other.id).active
    revoked = client.post(f"/konto/api-nycklar/{mine.id}/aterkalla", headers=ENGLISH)
    assert revoked.status_code == 302
    db.session.rollback()
    assert db.session.get(ApiToken, mine.id).revoked_at is not None
    detail = assert_error(call(app, raw, f"{API}/councils"), 401, "unauthorized")
    assert "revoked" in detail["message"]
    assert call(app, theirs, f"{API}/councils").status_code == 200
    listed = client.get("/konto/api-nycklar/", headers=ENGLISH).text
    assert "Revoked" in listed
    assert db.session.scalar(
        db.select(db.func.count(AuditEntry.id)).filter_by(action="api_token_revoked")
    )


def test_making_and_revoking_a_token_need_the_forms_csrf_token(csrf_app, member, make_api_token):
    make_api_token(member)
    token_id = db.session.scalars(db.select(ApiToken.id)).one()
    client = csrf_app.test_client()
    csrf_login(client, member)
    revoke = f"/konto/api-nycklar/{token_id}/aterkalla"
    assert client.post("/konto/api-nycklar/", data={"name": "Utan"}).status_code == 400
    assert client.post(revoke).status_code == 400
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 1
    assert db.session.get(ApiToken, token_id).active
    csrf = hidden_value(client.get("/konto/api-nycklar/").text, "csrf_token")
    assert client.post(revoke, data={"csrf_token": csrf}).status_code == 302
    db.session.rollback()
    assert not db.session.get(ApiToken, token_id).active


def test_last_use_is_written_at_most_every_few_minutes(app, member, make_api_token, monkeypatch):
    raw = make_api_token(member)
    start = utcnow()
    clock = {"now": start}
    monkeypatch.setitem(app.config, "NOW", lambda: clock["now"])

    def last_used():
        db.session.rollback()
        return db.session.scalars(db.select(ApiToken.last_used_at)).one()

    assert call(app, raw, f"{API}/councils").status_code == 200
    assert last_used() == start
    clock["now"] = start + timedelta(minutes=2)
    call(app, raw, f"{API}/councils")
    assert last_used() == start
    clock["now"] = start + api_tokens.USE_RECORDED_EVERY
    call(app, raw, f"{API}/councils")
    assert last_used() == clock["now"]


# --- refusals in the JSON shape --------------------------------------------------------------


def test_no_token_a_wrong_one_or_a_login_alone_is_a_401(app, world):
    path = f"{API}/councils/borlange/measures"
    missing = call(app, None, path)
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer ")
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc"):
        response = app.test_client().get(path, headers={"Authorization": header})
        assert_error(response, 401, "unauthorized")
    for wrong in ("brott_" + "x" * 43, "nonsense", "brott_" + "y" * 5000):
        response = call(app, wrong, path)
        assert_error(response, 401, "unauthorized")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    # a browser's login is not enough
    session = logged_in(app, world["people"]["coordinator"])
    assert_error(session.get(path), 401, "unauthorized")
    assert_error(session.get(f"{API}/councils"), 401, "unauthorized")


def test_the_token_of_a_switched_off_account_no_longer_works(app, world):
    user = db.session.get(User, world["people"]["member"].id)
    user.active = False
    db.session.commit()
    assert_error(call(app, world["tokens"]["member"], f"{API}/councils"), 401, "unauthorized")


def test_too_many_wrong_tokens_from_one_address_are_a_429(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ADDRESS", 3)
    for _ in range(3):
        assert call(app, "brott_wrong", f"{API}/councils").status_code == 401
    refused = call(app, world["tokens"]["member"], f"{API}/councils")
    assert_error(refused, 429, "too_many_requests")
    assert refused.headers["Retry-After"]


def test_a_council_the_user_is_not_in_is_a_404_like_one_that_does_not_exist(app, world):
    token = world["tokens"]["other council"]
    unknown = assert_error(
        call(app, token, f"{API}/councils/finns-inte/measures"), 404, "not_found"
    )
    foreign = assert_error(call(app, token, f"{API}/councils/borlange/measures"), 404, "not_found")
    assert unknown == foreign
    # nor are the council's objects found under the user's own council
    measure = world["measure"].id
    assert call(app, token, f"{API}/councils/falun/measures/{measure}").status_code == 404


def test_errors_under_the_api_are_json_never_an_html_page(app, world):
    token = world["tokens"]["member"]
    assert_error(call(app, token, f"{API}/finns-inte"), 404, "not_found")
    assert_error(call(app, None, f"{API}"), 404, "not_found")
    assert_error(call(app, token, f"{API}/councils?page=%01"), 400, "bad_request")
    assert_error(
        call(app, token, f"{API}/councils/borlange/measures/99999999999"), 404, "not_found"
    )
    not_allowed = app.test_client().post(f"{API}/councils", headers=ENGLISH)
    assert_error(not_allowed, 405, "method_not_allowed")
    assert "GET" in not_allowed.headers["Allow"]
    # the site's own pages keep their HTML error pages
    assert app.test_client().get("/finns-inte").mimetype == "text/html"


def test_a_server_error_and_a_database_out_of_reach_answer_in_the_json_shape(
    app, world, monkeypatch
):
    token, path = world["tokens"]["member"], f"{API}/councils/borlange/measures"

    def broken(viewer):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api_reads, "measures", broken)
    failed = call(app, token, path)
    detail = assert_error(failed, 500, "internal_server_error")
    assert detail["reference"] == failed.headers["X-Request-ID"]
    assert "a bug" not in failed.get_data(as_text=True)

    def unreachable(viewer):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(api_reads, "measures", unreachable)
    gone = call(app, token, path)
    assert_error(gone, 503, "service_unavailable")
    assert gone.headers["Retry-After"].isdigit()
    assert "server closed" not in gone.get_data(as_text=True)


# --- the policy through a token -------------------------------------------------------------

ALL = ("admin", "coordinator", "member", "police", "body_staff", "other council", "switched off")


def _expected(path_kind: str, who: str) -> int:
    """What the matrix expects of each kind of call for each token."""
    if path_kind == "open":
        return 200
    if path_kind == "councils":
        return 200
    if who in ("other council", "switched off"):
        return 404  # no membership: as a council that does not exist
    if who == "body_staff":
        return 403  # their role reads only their body's reports, which no token reads
    if path_kind == "notes":
        return 200 if who == "police" else 403
    return 200


def _paths(world) -> dict[str, str]:
    base = f"{API}/councils/borlange"
    return {
        f"{API}/openapi.json": "open",
        f"{API}/councils": "councils",
        f"{base}/promises": "read",
        f"{base}/measures": "read",
        f"{base}/measures/{world['measure'].id}": "read",
        f"{base}/meetings": "read",
        f"{base}/actions": "read",
        f"{base}/notes": "notes",
        f"{base}/notes/{world['shared'].id}": "notes",
    }


def test_every_call_answers_every_kind_of_token_as_the_policy_says(app, world):
    paths = _paths(world)
    adapter = app.url_map.bind("localhost")
    called = {adapter.match(path)[0] for path in paths}
    assert called == {rule.endpoint for rule in app.url_map.iter_rules()} & called
    assert called == {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    wrong = []
    for who in ALL:
        for path, kind in paths.items():
            response = call(app, world["tokens"][who], path)
            expected = _expected(kind, who)
            if response.status_code != expected:
                wrong.append(f"{who}: {path} → {response.status_code}, expected {expected}")
            elif expected >= 400:
                assert response.get_json()["error"]["status"] == expected
    # without a token, every call but the document's is refused
    for path, kind in paths.items():
        expected = 200 if kind == "open" else 401
        if call(app, None, path).status_code != expected:
            wrong.append(f"no token: {path}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_a_police_token_without_the_second_factor_its_council_requires_reads_nothing(app, world):
    council = db.session.get(Council, world["council"].id)
    council.two_factor_roles = [Role.POLICE.value]
    db.session.commit()
    token = world["tokens"]["police"]
    assert_error(call(app, token, f"{API}/councils/borlange/measures"), 403, "forbidden")
    assert call(app, token, f"{API}/councils").get_json()["data"] == []


def test_the_councils_are_the_users_own_with_their_role(app, world, make_council):
    other = make_council(slug="falun-2", name="BRÅ Falun")
    police = world["people"]["police"]
    db.session.add(Membership(user_id=police.id, council_id=other.id, role=Role.MEMBER))
    db.session.commit()
    listed = call(app, world["tokens"]["police"], f"{API}/councils").get_json()
    assert {(c["slug"], c["role"]) for c in listed["data"]} == {
        ("borlange", "police"),
        ("falun-2", "member"),
    }
    staff = call(app, world["tokens"]["body_staff"], f"{API}/councils").get_json()
    assert staff["data"] == [] and staff["meta"]["total"] == 0


def test_a_member_reads_the_councils_promises_measures_meetings_and_actions(app, world):
    token, base = world["tokens"]["member"], f"{API}/councils/borlange"
    promises = call(app, token, f"{base}/promises").get_json()["data"]
    assert [p["title"] for p in promises] == ["Medborgarlöfte 2025"]
    measures = call(app, token, f"{base}/measures").get_json()["data"]
    assert [m["title"] for m in measures] == ["Trygghetsvärdar"]
    assert measures[0]["status"] == "ongoing" and measures[0]["progress"] == 40
    assert measures[0]["owners"] == [world["people"]["member"].name]
    meetings = call(app, token, f"{base}/meetings").get_json()["data"]
    # the series' meetings, the first one first
    assert meetings[0]["id"] == world["meeting"].id
    assert {m["series_id"] for m in meetings} == {world["meeting"].series_id}
    assert meetings[0]["status"] == "scheduled" and "T" in meetings[0]["starts_at"]
    actions = call(app, token, f"{base}/actions").get_json()["data"]
    assert [(a["title"], a["owner"], a["state"]) for a in actions] == [
        ("Belysning vid torget", world["people"]["police"].name, "open")
    ]


def test_one_measure_comes_with_its_journal_and_its_indicators_values(app, world):
    token = world["tokens"]["police"]
    response = call(app, token, f"{API}/councils/borlange/measures/{world['measure'].id}")
    assert response.status_code == 200
    measure = response.get_json()
    assert [entry["comment"] for entry in measure["journal"]] == ["Halvvägs"]
    assert measure["journal"][0]["new_progress"] == 40
    assert measure["journal"][0]["author"] == world["people"]["member"].name
    (indicator,) = measure["indicators"]
    assert indicator["name"] == "Pass" and indicator["source"] == "manual"
    assert [(v["value"], v["comment"]) for v in indicator["values"]] == [(7.0, "Mars")]
    assert response.headers["Last-Modified"]


def test_the_police_read_the_shared_notes_only_and_each_read_is_logged(app, world):
    token, base = world["tokens"]["police"], f"{API}/councils/borlange/notes"
    listed = call(app, token, base).get_json()
    assert [n["text"] for n in listed["data"]] == ["Delad iakttagelse"]
    assert {n["visibility"] for n in listed["data"]} == {"shared"}
    assert call(app, token, f"{base}/{world['shared'].id}").get_json()["text"] == (
        "Delad iakttagelse"
    )
    assert_error(call(app, token, f"{base}/{world['internal'].id}"), 404, "not_found")
    db.session.rollback()
    reads = db.session.scalars(
        db.select(AuditEntry).filter_by(action="view", object_type="note").order_by(AuditEntry.id)
    ).all()
    police = world["people"]["police"]
    assert [(r.actor_id, r.council_id) for r in reads] == [(police.id, world["council"].id)] * 2
    assert reads[0].summary_values["count"] == 1
    assert reads[1].object_id == world["shared"].id


def test_a_municipality_token_gets_403_for_the_notes_and_nothing_is_logged(app, world):
    for who in ("member", "coordinator", "admin"):
        path = f"{API}/councils/borlange/notes"
        detail = assert_error(call(app, world["tokens"][who], path), 403, "forbidden")
        assert "police" in detail["message"]
        single = call(app, world["tokens"][who], f"{path}/{world['internal'].id}")
        assert_error(single, 403, "forbidden")
    db.session.rollback()
    assert not db.session.scalars(db.select(AuditEntry).filter_by(action="view")).all()


# --- pages and ETags -------------------------------------------------------------------------


def test_lists_come_in_pages_with_links_and_a_page_past_the_last_is_a_404(app, world, make_measure):
    for _ in range(4):
        make_measure(world["council"], commit=False)
    db.session.commit()
    token, path = world["tokens"]["member"], f"{API}/councils/borlange/measures"
    first = call(app, token, f"{path}?per_page=2").get_json()
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    assert len(first["data"]) == 2 and first["links"]["prev"] is None
    assert first["links"]["next"] == f"{path}?page=2&per_page=2"
    assert first["links"]["last"] == f"{path}?page=3&per_page=2"
    last = call(app, token, first["links"]["last"]).get_json()
    assert len(last["data"]) == 1 and last["links"]["next"] is None
    seen = [
        m["id"]
        for page in (1, 2, 3)
        for m in call(app, token, f"{path}?page={page}&per_page=2").get_json()["data"]
    ]
    assert len(set(seen)) == 5
    past = assert_error(call(app, token, f"{path}?page=4&per_page=2"), 404, "not_found")
    assert "page 4" in past["message"] and "3 pages" in past["message"]
    assert call(app, token, f"{path}?page=99999999999999999999").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "page=1.5", "per_page=0", "per_page=101", "per_page=x"],
)
def test_a_page_that_is_no_page_number_is_a_400_that_says_why(app, world, query):
    path = f"{API}/councils/borlange/measures?{query}"
    detail = assert_error(call(app, world["tokens"]["member"], path), 400, "bad_request")
    assert ("per_page" in detail["message"]) == query.startswith("per_page")


def test_an_empty_list_has_one_empty_page(app, world):
    token, path = world["tokens"]["police"], f"{API}/councils/borlange/promises"
    db.session.delete(db.session.get(CitizenPromise, world["promise"].id))
    db.session.execute(sa.update(db.metadata.tables["measure"]).values(promise_id=None))
    db.session.commit()
    empty = call(app, token, path).get_json()
    assert empty["data"] == [] and empty["meta"]["pages"] == 1
    assert call(app, token, f"{path}?page=2").status_code == 404


def test_an_unchanged_answer_is_a_304_for_its_etag(app, world, make_measure):
    token, path = world["tokens"]["member"], f"{API}/councils/borlange/measures"
    first = call(app, token, path)
    etag = first.headers["ETag"]
    assert etag and "private" in first.headers["Cache-Control"]
    again = call(app, token, path, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    weak = call(app, token, path, **{"If-None-Match": f'W/{etag}, "other"'})
    assert weak.status_code == 304
    make_measure(world["council"])
    changed = call(app, token, path, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize("kind", ["measures", "meetings", "actions", "notes"])
def test_a_lists_statements_do_not_grow_with_its_rows(
    app, world, kind, make_measure, make_meeting, make_decision, make_note
):
    token = world["tokens"]["police"]
    path = f"{API}/councils/borlange/{kind}?per_page=100"
    council, people = world["council"], world["people"]
    add = {
        "measures": lambda: make_measure(council, owners=[people["member"], people["police"]]),
        "meetings": lambda: make_meeting(council),
        "actions": lambda: make_decision(world["meeting"], people["coordinator"]),
        "notes": lambda: make_note(council, people["police"]),
    }[kind]

    def statements() -> int:
        call(app, token, path)  # the token's last use is written on the first call
        with counted_statements() as found:
            assert call(app, token, path).status_code == 200
        return len(found)

    few = statements()
    for _ in range(6):
        add()
    assert statements() == few


# --- nothing internal reaches a police token --------------------------------------------------

MARKER = "INTERNT-API-MARKER-7731"
# the measure tools' texts (their records are no token's to read)
TOOL_TEXTS = {
    "entry_id": "text",
    "business_id": "contact_email",
    "walk_id": "route",
    "finding_id": "description",
    "site_id": "coverage",
    "balancing_id": "privacy_impact",
    "deployment_id": "company",
}


@pytest.fixture
def planted(app, world, make_council, make_user, make_measure, make_meeting, make_note):
    """A marker in every field a police token must never read: internal notes, residents'
    reports (their reporters' addresses), e-mail addresses, the measure tools' records, and
    everything of another council; and the other users' tokens."""
    council, people = world["council"], world["people"]
    for number, user in enumerate(people.values()):
        db.session.get(User, user.id).email = f"{MARKER.lower()}-{number}@exempel.se"
    db.session.get(SituationNote, world["internal"].id).text = f"{MARKER} intern"
    make_note(council, people["member"], text=f"{MARKER} 2", visibility=Visibility.INTERNAL)
    report_objects(council, people)
    tools = tool_objects(council, people, db.session.get(Measure, world["measure"].id))
    for key, field in TOOL_TEXTS.items():
        setattr(tools[key], field, f"{MARKER} {field}")
    db.session.commit()
    other = make_council(slug="annat-rad")
    stranger = make_user(Role.COORDINATOR, other, name=MARKER)
    make_measure(other, owners=[stranger], title=MARKER, description=MARKER)
    make_meeting(other, title=MARKER, location=MARKER)
    make_note(other, stranger, text=MARKER, visibility=Visibility.SHARED)
    secrets = [MARKER, INTERNAL_COMMENT, STAFF_NAME, REPORTER_EMAIL]
    secrets += [row.token_hash for row in db.session.scalars(db.select(ApiToken))]
    secrets += [token for who, token in world["tokens"].items() if who != "police"]
    db.session.rollback()
    return secrets


def _text(response) -> str:
    """The answer as a reader sees it (JSON escapes no letter here)."""
    if response.mimetype == "application/json" and response.get_data():
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def test_no_answer_to_a_police_token_holds_anything_internal(app, world, planted):
    police = world["tokens"]["police"]
    measure_ids = db.session.scalars(db.select(Measure.id)).all()
    note_ids = db.session.scalars(db.select(SituationNote.id)).all()
    db.session.rollback()
    paths = [f"{API}/openapi.json", f"{API}/councils", f"{API}/councils?per_page=1"]
    for slug in ("borlange", "annat-rad"):
        base = f"{API}/councils/{slug}"
        for kind in ("promises", "measures", "meetings", "actions", "notes"):
            paths += [f"{base}/{kind}", f"{base}/{kind}?per_page=100"]
        paths += [f"{base}/measures/{measure_id}" for measure_id in measure_ids]
        paths += [f"{base}/notes/{note_id}" for note_id in note_ids]
    answered = 0
    for path in paths:
        response = call(app, police, path)
        assert response.status_code < 500, path
        answered += response.status_code == 200
        text = _text(response)
        for secret in planted:
            assert secret.lower() not in text.lower(), (path, secret)
    # the sweep read the council's own data
    assert answered >= 13
    shared = _text(call(app, police, f"{API}/councils/borlange/notes"))
    assert "Delad iakttagelse" in shared and "Resecentrum" in shared


def test_a_new_password_or_a_second_factor_revokes_the_tokens_made_before(app, world):
    import pyotp

    from brott.models.base import utcnow
    from brott.services import passwords, two_factor

    path = f"{API}/councils"
    member = db.session.get(User, world["people"]["member"].id)
    passwords.set_password(member, "ett långt nytt lösenord 2026", utcnow(), "Password changed")
    db.session.commit()
    assert_error(call(app, world["tokens"]["member"], path), 401, "unauthorized")
    police = db.session.get(User, world["people"]["police"].id)
    assert call(app, world["tokens"]["police"], path).status_code == 200
    secret = pyotp.random_base32()
    two_factor.enable(police, secret, pyotp.TOTP(secret).now(), utcnow())
    db.session.commit()
    assert_error(call(app, world["tokens"]["police"], path), 401, "unauthorized")


def test_no_token_is_made_while_a_required_second_factor_is_missing(app, world):
    police = db.session.get(User, world["people"]["police"].id)
    council = db.session.get(Council, world["council"].id)
    council.two_factor_roles = ["police"]
    db.session.commit()
    client = logged_in(app, police)
    refused = client.post("/konto/api-nycklar/", data={"name": "Skript"}, headers=ENGLISH)
    assert refused.status_code == 400 and "two-step login" in refused.text
    assert not TOKEN_PATTERN.search(refused.text)
    active = db.select(db.func.count(ApiToken.id)).where(
        ApiToken.user_id == police.id, ApiToken.revoked_at.is_(None)
    )
    assert db.session.scalar(active) == 1  # the one made before the council required it
