"""The smaller things users meet: measure categories, an action's shown state and postponing,
the audit log's words, the digest naming its council, the one-shot `dispatch`, the README's
logins and port, and table headers that say what their column is.

New texts are checked in English (the page follows the browser's language) where their
Swedish translation is not in the catalog yet; texts that were there are checked in Swedish.
"""

import html
import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask_babel import force_locale

from brott import jobs
from brott.errors import DomainError
from brott.extensions import db
from brott.models import (
    ROLE_LABELS,
    Action,
    ActionStatus,
    AuditEntry,
    Measure,
    Membership,
    OutboxMessage,
    Role,
    SituationNote,
    SpentToken,
)
from brott.scheduler import configure
from brott.services import audit, digest, tokens
from brott.services import measures as measure_service
from brott.services.actions import ActionState, set_action_status, state_of
from brott.services.demo import DEMO_USERS

from .conftest import logged_in
from .smtp_server import running_smtp

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # Tuesday 08:00 in Stockholm, after the digest
TODAY = date(2026, 3, 10)
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council, name="Maja Lind")


@pytest.fixture
def meeting(make_series, council):
    """A meeting held on Tuesday 3 March 2026."""
    return make_series(council, now=NOW - timedelta(days=8), first=date(2026, 3, 3)).meetings[0]


@pytest.fixture
def decide(make_decision, meeting, coordinator, member):
    """An open action of `member` due on `due`, decided at `meeting`."""

    def make(due: date, title: str = "Byt trasig belysning") -> Action:
        return make_decision(meeting, coordinator, member, title, due, now=meeting.starts_at)

    return make


def fresh(model, object_id: int):
    db.session.expire_all()
    found = db.session.get(model, object_id)
    db.session.rollback()  # end the read before a request writes (SQLite would lock)
    return found


def options_of(page: str, pattern: str) -> list[str]:
    block = re.search(pattern, page, re.S)
    assert block, f"nothing matches {pattern!r}"
    return [html.unescape(v) for v in re.findall(r'<option[^>]*value="([^"]+)"', block.group(1))]


def datalist(page: str) -> list[str]:
    return options_of(page, r'<datalist id="measure-categories">(.*?)</datalist>')


def category_filter(page: str) -> list[str]:
    return options_of(page, r'<select[^>]*name="category"[^>]*>(.*?)</select>')


def create_measure(client, title: str, category: str, headers=None):
    return client.post(
        "/r/borlange/insatser/ny",
        data={"title": title, "category": category, "description": ""},
        headers=headers or {},
    )


# --- measure categories: the form and the list's filter agree ------------------------------


def test_the_measure_form_suggests_the_categories_the_list_filter_offers(
    app, council, coordinator, make_measure, make_council
):
    make_measure(council, title="A", category="Näringsliv")
    make_measure(council, title="B", category="Fysisk miljö")
    make_measure(council, title="C", category="Näringsliv")
    make_measure(make_council(), title="D", category="Ett annat råds kategori")
    client = logged_in(app, coordinator)

    form = client.get("/r/borlange/insatser/ny").text
    listing = client.get("/r/borlange/").text

    assert 'list="measure-categories"' in form
    assert datalist(form) == ["Fysisk miljö", "Näringsliv"]
    assert category_filter(listing) == ["Fysisk miljö", "Näringsliv"]


def test_a_category_typed_in_other_letters_joins_the_existing_one_and_a_new_one_is_offered(
    app, council, coordinator, make_measure
):
    make_measure(council, title="Befintlig", category="Näringsliv")
    client = logged_in(app, coordinator)

    assert create_measure(client, "Ny insats", "  näringsLIV ").status_code == 302
    assert create_measure(client, "Sommarskola", "Skola  och fritid").status_code == 302

    stored = dict(db.session.execute(db.select(Measure.title, Measure.category)).all())
    db.session.rollback()
    assert stored["Ny insats"] == "Näringsliv"
    assert stored["Sommarskola"] == "Skola och fritid"
    found = client.get("/r/borlange/?category=N%C3%A4ringsliv").text
    assert "Befintlig" in found and "Ny insats" in found and "Sommarskola" not in found
    assert datalist(client.get("/r/borlange/insatser/ny").text) == [
        "Näringsliv",
        "Skola och fritid",
    ]
    assert category_filter(client.get("/r/borlange/").text) == ["Näringsliv", "Skola och fritid"]


def test_a_category_longer_than_80_characters_is_refused(app, council, coordinator):
    client = logged_in(app, coordinator)

    refused = create_measure(client, "För lång", "k" * 81, headers=ENGLISH)

    assert "The category may be at most 80 characters." in refused.text
    assert db.session.scalar(db.select(db.func.count(Measure.id))) == 0
    with pytest.raises(DomainError) as error:
        measure_service.category_for(council.id, "k" * 81)
    assert error.value.field == "category"
    assert measure_service.category_for(council.id, "k" * 80) == "k" * 80


@pytest.mark.parametrize("role", [Role.MEMBER, Role.POLICE])
def test_who_may_not_manage_measures_gets_neither_the_form_nor_the_categories(
    app, council, make_user, make_measure, role
):
    make_measure(council, title="A", category="Intern kategori")
    client = logged_in(app, make_user(role, council))

    shown = client.get("/r/borlange/insatser/ny")
    posted = create_measure(client, "Smygväg", "Ny kategori")

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert "Intern kategori" not in shown.text
    assert db.session.scalar(db.select(db.func.count(Measure.id))) == 1


# --- an action's shown state: late by itself, postponed by its owner ----------------------


@pytest.mark.parametrize(
    ("status", "due", "shown"),
    [
        (ActionStatus.OPEN, TODAY, ActionState.OPEN),  # due today is not late yet
        (ActionStatus.OPEN, TODAY - timedelta(days=1), ActionState.LATE),
        (ActionStatus.DELAYED, TODAY + timedelta(days=7), ActionState.POSTPONED),
        (ActionStatus.DELAYED, TODAY - timedelta(days=1), ActionState.LATE),  # new date passed
        (ActionStatus.DONE, TODAY - timedelta(days=30), ActionState.DONE),
    ],
)
def test_the_shown_state_follows_the_stored_status_and_the_due_date(status, due, shown):
    assert state_of(Action(status=status, due_date=due), TODAY) is shown


def test_an_open_action_past_its_due_date_shows_late_while_nobody_changed_it(
    app, frozen, member, decide
):
    action = decide(TODAY - timedelta(days=2))
    client = logged_in(app, member)

    page = client.get("/r/borlange/atgarder").text

    assert '<span class="status status-late">Försenad</span>' in page
    assert fresh(Action, action.id).status is ActionStatus.OPEN  # stored as it was


@pytest.mark.parametrize(
    ("due_date", "comment", "message"),
    [
        ("", "Väntar på leverans", "Choose the new due date."),
        ("2026-03-09", "Väntar på leverans", "The new due date cannot be in the past."),
        ("2026-03-12", "Väntar på leverans", "Choose a date after the current due date"),
        ("2026-03-20", "   ", "Write why the action is postponed."),
        ("inte ett datum", "Väntar på leverans", "Not a valid date value."),
    ],
)
def test_postponing_needs_a_later_date_not_in_the_past_and_a_reason(
    app, frozen, member, decide, due_date, comment, message
):
    action = decide(date(2026, 3, 12))
    client = logged_in(app, member)

    refused = client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={
            "status": "delayed",
            "due_date": due_date,
            "comment": comment,
            "version": str(action.version),
        },
        headers=ENGLISH,
    )

    assert refused.status_code == 400
    assert message in html.unescape(refused.text)
    kept = fresh(Action, action.id)
    assert (kept.status, kept.due_date) == (ActionStatus.OPEN, date(2026, 3, 12))


def test_postponing_moves_the_due_date_and_shows_postponed_until_it_passes(
    app, frozen, member, decide
):
    action = decide(TODAY - timedelta(days=3))  # late already
    client = logged_in(app, member)

    saved = client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={
            "status": "delayed",
            "due_date": "2026-03-24",
            "comment": "Elektrikern kommer först om två veckor",
            "version": str(action.version),
        },
        headers=ENGLISH,
    )

    assert saved.status_code == 302
    stored = fresh(Action, action.id)
    assert (stored.status, stored.due_date) == (ActionStatus.DELAYED, date(2026, 3, 24))
    assert stored.status_comment == "Elektrikern kommer först om två veckor"
    page = client.get("/r/borlange/atgarder", headers=ENGLISH).text
    assert '<span class="status status-postponed">Postponed</span>' in page
    frozen.now = NOW + timedelta(days=15)  # 25 March: the new date has passed too
    client = logged_in(app, member)
    page = client.get("/r/borlange/atgarder", headers=ENGLISH).text
    assert '<span class="status status-late">Delayed</span>' in page
    # reopening or finishing needs no date; a date sent along is not taken for a new one
    done = client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={"status": "done", "due_date": "", "comment": "", "version": str(stored.version)},
    )
    assert done.status_code == 302
    assert (fresh(Action, action.id).status, fresh(Action, action.id).due_date) == (
        ActionStatus.DONE,
        date(2026, 3, 24),
    )


@pytest.mark.parametrize("who", ["police", "another member"])
def test_who_may_not_update_the_action_cannot_postpone_it(
    app, frozen, council, police, make_user, decide, who
):
    action = decide(date(2026, 3, 12))
    person = police if who == "police" else make_user(Role.MEMBER, council)

    response = logged_in(app, person).post(
        f"/r/borlange/atgarder/{action.id}",
        data={
            "status": "delayed",
            "due_date": "2026-03-30",
            "comment": "Inte min",
            "version": str(action.version),
        },
    )

    assert response.status_code == 403
    kept = fresh(Action, action.id)
    assert (kept.status, kept.due_date) == (ActionStatus.OPEN, date(2026, 3, 12))


def test_the_one_click_postpone_link_asks_for_the_date_and_reason_and_keeps_working(
    client, frozen, decide
):
    action = decide(TODAY - timedelta(days=1))
    url = f"/atgard/{tokens.action_link_token(action, ActionStatus.DELAYED)}"
    done_url = f"/atgard/{tokens.action_link_token(action, ActionStatus.DONE)}"
    db.session.rollback()

    shown = client.get(url, headers=ENGLISH)
    assert shown.status_code == 200
    assert "<h1>Postpone</h1>" in shown.text and 'type="date"' in shown.text
    past = client.post(url, data={"due_date": "2026-03-01", "comment": "Regn"}, headers=ENGLISH)
    assert past.status_code == 400 and "The new due date cannot be in the past." in past.text
    assert db.session.scalar(db.select(db.func.count()).select_from(SpentToken)) == 0
    db.session.rollback()

    ok = client.post(url, data={"due_date": "2026-03-17", "comment": "Regn"}, headers=ENGLISH)

    assert ok.status_code == 200 and "is now postponed to" in ok.text
    stored = fresh(Action, action.id)
    assert (stored.status, stored.due_date, stored.status_comment) == (
        ActionStatus.DELAYED,
        date(2026, 3, 17),
        "Regn",
    )
    assert client.post(url, data={"due_date": "2026-03-18", "comment": "x"}).status_code == 410
    # the done link of the same mail was issued for "open": refused now, as before
    assert client.post(done_url, data={"comment": ""}).status_code == 410


def test_the_done_link_still_marks_done_in_one_click(client, frozen, decide):
    action = decide(TODAY)
    url = f"/atgard/{tokens.action_link_token(action, ActionStatus.DONE)}"
    db.session.rollback()

    response = client.post(url, data={"comment": ""})

    assert response.status_code == 200 and "Tack!" in response.text
    assert fresh(Action, action.id).status is ActionStatus.DONE


def test_the_stored_statuses_stay_those_the_database_knows(app, frozen, member, decide):
    """Nothing new is stored: late is derived, postponed is the existing `delayed`."""
    late, postponed, done = (decide(TODAY - timedelta(days=d), f"Å{d}") for d in (1, 2, 3))
    set_action_status(postponed, ActionStatus.DELAYED, "Väntar", NOW, new_due_date=TODAY)
    set_action_status(done, ActionStatus.DONE, "", NOW)
    db.session.commit()

    raw = set(db.session.execute(db.text("SELECT status FROM action")).scalars())

    assert raw == {"open", "delayed", "done"} <= {s.value for s in ActionStatus}
    assert state_of(fresh(Action, late.id), TODAY) is ActionState.LATE


# --- the audit log in words ------------------------------------------------------------------

RECORDED = re.compile(r"""(?:audit\.record|_record_refusal)\(\s*["']([a-z_]+)["']""")


def test_every_event_code_the_code_records_has_a_translated_label():
    codes = {"create", "update", "delete", jobs.RETENTION_RUN}
    for path in (ROOT / "brott").rglob("*.py"):
        codes |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    assert "login_failed" in codes and "invitation_accepted" in codes  # the scan finds them

    labelled = set(audit.ACTION_LABELS) | set(audit.SYSTEM_LABELS)

    assert codes - labelled == set()
    assert set(audit.AUDITED.values()) - set(audit.OBJECT_LABELS) == set()


def test_an_unknown_code_reads_as_words(app):
    with app.test_request_context(), force_locale("en"):
        assert audit.event_label("export_started") == "Export started"
        assert audit.object_label("safety__walk") == "Safety walk"
        assert audit.event_label("login_failed") == "Failed login"
    with app.test_request_context(), force_locale("sv"):
        assert audit.event_label("login_failed") == "Misslyckad inloggning"
        assert audit.object_label("note") == "Anteckning"


def test_the_log_page_shows_words_where_it_showed_codes(
    app, client, council, admin, member, make_measure
):
    client.post("/logga-in", data={"email": member.email, "password": "fel-lösenord-999"})
    make_measure(council, title="Trygghetsvärdar")
    db.session.add(AuditEntry(at=NOW, council_id=council.id, action="brand_new_code"))
    db.session.commit()
    page = logged_in(app, admin).get("/r/borlange/admin/logg").text

    rows = re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", page)
    assert "Misslyckad inloggning" in rows and "Skapad" in rows and "Brand new code" in rows
    assert [c for c in rows if re.fullmatch(r"[a-z]+(_[a-z]+)*", c)] == []
    assert "Insats #" in page
    offered = re.findall(r'<option value="([a-z_]+)"', page)
    assert {"login_throttled", "invite", "password"} <= set(offered)
    assert "retention_run" not in offered  # the system's own entries are in no council's log


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER, Role.POLICE])
def test_only_admins_read_the_log_in_words(app, council, make_user, role):
    response = logged_in(app, make_user(role, council)).get("/r/borlange/admin/logg")
    assert response.status_code == 403 and "Misslyckad inloggning" not in response.text


# --- the daily digest names its council ------------------------------------------------------


@pytest.fixture
def two_councils(council, coordinator, member, make_council, make_user, make_series, decide):
    """`member` owns an action due tomorrow in Borlänge and one due today in Falun."""
    falun = make_council(slug="falun", name="Falu brottsförebyggande råd")
    falun_coordinator = make_user(Role.COORDINATOR, falun)
    db.session.add(Membership(user_id=member.id, council_id=falun.id, role=Role.MEMBER))
    db.session.commit()
    decide(TODAY + timedelta(days=1), "Ring fastighetsägaren")
    held = make_series(falun, now=NOW - timedelta(days=8), first=date(2026, 3, 4)).meetings[0]
    make_decision_in(held, falun_coordinator, member, "Falu åtgärd", TODAY)
    return falun


def make_decision_in(meeting, author, owner, title, due) -> Action:
    from brott.services import actions as action_service

    action = action_service.record_decision(
        meeting,
        author,
        action_service.ActionData(title=title, owner_id=owner.id, due_date=due),
        meeting.starts_at,
    )
    db.session.commit()
    return action


def test_the_digest_names_the_council_in_subject_and_heading_and_says_due_by(
    app, frozen, council, member, two_councils
):
    assert digest.plan_daily_digest(NOW) == 2
    db.session.commit()
    digests = db.select(OutboxMessage).where(OutboxMessage.kind == digest.DIGEST)
    rows = {row.council_id: row for row in db.session.scalars(digests)}
    borlange, falun = rows[council.id], rows[two_councils.id]

    for row, name in ((borlange, council.name), (falun, two_councils.name)):
        assert row.subject.startswith(f"{name}: ") and row.subject.endswith(" 2026-03-10")
        assert name in row.body.splitlines()[0]  # the heading of the text part
        assert re.search(rf"<h1[^>]*>[^<]*{re.escape(html.escape(name))}[^<]*</h1>", row.html_body)
    assert "Ring fastighetsägaren (klar senast 2026-03-11)" in borlange.body
    assert "Falu åtgärd" not in borlange.body and "Falu åtgärd" in falun.body


def test_the_digest_in_english_says_due_by_and_offers_to_postpone(
    app, frozen, council, member, two_councils
):
    member.locale = "en"
    db.session.commit()
    digest.plan_daily_digest(NOW)
    db.session.commit()
    row = db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.council_id == council.id, OutboxMessage.kind == digest.DIGEST
        )
    ).one()

    assert row.subject == f"{council.name}: your actions and measures 2026-03-10"
    assert row.body.splitlines()[0] == f"Your actions and measures in {council.name}"
    assert "Action: Ring fastighetsägaren (due by " in row.body
    assert re.search(r"Postpone: \S+/atgard/", row.body)
    assert ">Postpone</a>" in row.html_body and "delayed" not in row.body.lower()


# --- `flask dispatch`: every job that is due, once ------------------------------------------


@pytest.fixture
def smtp(app, monkeypatch):
    with running_smtp() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", server.host)
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        yield server


@pytest.fixture
def due_work(council, coordinator, member, decide, make_note):
    """An action overdue for `member` (digest material) and a note past retention."""
    decide(TODAY - timedelta(days=1), "Beskär buskaget")
    make_note(council, coordinator, text="Gammal iakttagelse", created_at=NOW - timedelta(days=800))
    return member


def dispatch(app) -> str:
    result = app.test_cli_runner().invoke(args=["dispatch"])
    assert result.exit_code == 0, result.output
    return result.output


def digests_to(user) -> list[OutboxMessage]:
    rows = db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.kind == digest.DIGEST, OutboxMessage.recipient_id == user.id
        )
    ).all()
    db.session.rollback()
    return list(rows)


def received_digests(smtp, user) -> list:
    """The digests the mail server accepted for `user` (known by their Message-ID)."""
    ids = {row.message_id for row in digests_to(user)}
    return [m for m in smtp.inbox.messages if m.message_id in ids]


def test_dispatch_queues_todays_digest_runs_retention_and_sends_then_repeats_nothing(
    app, frozen, smtp, due_work
):
    first = dispatch(app)

    assert "digests queued 1" in first and "notes deleted 1" in first
    assert re.search(r"sent [1-9]", first)
    assert len(received_digests(smtp, due_work)) == 1
    assert db.session.scalar(db.select(db.func.count(SituationNote.id))) == 0
    db.session.rollback()

    frozen.now = NOW + timedelta(minutes=5)  # cron's next run
    second = dispatch(app)

    assert "digest not due" in second and "retention already ran today" in second
    assert "sent 0" in second
    assert len(digests_to(due_work)) == 1 and len(received_digests(smtp, due_work)) == 1


def test_dispatch_before_the_digest_time_waits_for_it_and_the_next_day_runs_again(
    app, frozen, smtp, due_work
):
    frozen.now = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # 06:00 in Stockholm
    early = dispatch(app)
    assert "digest not due" in early and "notes deleted 1" in early
    assert digests_to(due_work) == []

    frozen.now = datetime(2026, 3, 10, 6, 1, tzinfo=UTC)  # 07:01
    assert "digests queued 1" in dispatch(app)

    frozen.now = datetime(2026, 3, 11, 6, 30, tzinfo=UTC)  # the next morning
    next_day = dispatch(app)
    assert "notes deleted 0" in next_day and "digests queued 1" in next_day
    assert len(digests_to(due_work)) == 2


def test_the_scheduler_starts_with_the_same_jobs_and_repeats_none_that_ran_today(
    app, frozen, smtp, due_work
):
    assert [job.__name__ for job in jobs.due_at(NOW)] == [
        "plan_ahead",
        "plan_tool_reminders",
        "purge_expired_notes",
        "queue_daily_digest",
        "dispatch_due",
    ]
    dispatch(app)
    scheduler = configure(BackgroundScheduler(timezone="UTC"), app)
    scheduler.start(paused=True)
    try:
        scheduled = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)

    assert scheduled["dispatch"] == NOW and scheduled["plan_ahead"] == NOW
    assert scheduled["digest"] != NOW and scheduled["retention"] != NOW
    assert [job.__name__ for job in jobs.due_at(NOW)] == [
        "plan_ahead",
        "plan_tool_reminders",
        "dispatch_due",
    ]


def test_the_retention_run_is_in_no_councils_log(app, frozen, smtp, council, admin, due_work):
    dispatch(app)
    runs = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == jobs.RETENTION_RUN)
    ).all()
    assert [(r.council_id, r.actor_id, r.actor_label) for r in runs] == [(None, None, "system")]
    db.session.rollback()
    assert audit.entries(council.id, jobs.RETENTION_RUN) == []


# --- the README and `make run` ------------------------------------------------------------


def test_the_readme_login_table_gives_each_demo_users_name_and_role(app):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line
        for line in readme.splitlines()
        if line.startswith("| `") and "@exempel.se" in line
    }
    with app.test_request_context(), force_locale("sv"):
        for email, name, role in DEMO_USERS:
            row = rows[f"`{email}`"]
            assert name in row and str(ROLE_LABELS[role]).lower() in row.lower(), row


def test_make_run_takes_another_port_and_the_readme_says_how():
    planned = subprocess.run(
        ["make", "-n", "run", "PORT=8089"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    default = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout

    assert "--port 8089" in planned and "--port 5000" in default
    assert "make run PORT=8080" in (ROOT / "README.md").read_text(encoding="utf-8")


# --- table headers say what their column is ---------------------------------------------------

EMPTY_HEADER = re.compile(r"<th[^>]*>\s*</th>")


def test_no_template_has_an_empty_table_header():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in EMPTY_HEADER.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_every_header_of_the_pages_with_tables_has_a_text(
    app, frozen, council, admin, coordinator, member, meeting, decide, make_partner
):
    make_partner(council, name="Jernhusen")
    decide(TODAY + timedelta(days=3))
    pages = {
        "/r/borlange/admin/anvandare": admin,
        "/r/borlange/admin/partner": admin,
        "/r/borlange/admin/logg": admin,
        "/r/borlange/est/": coordinator,
        f"/r/borlange/est/moten/{meeting.id}": coordinator,
        "/r/borlange/atgarder": member,
    }
    clients = {}
    for url, user in pages.items():
        client = clients.setdefault(user.id, logged_in(app, user))
        page = client.get(url)
        assert page.status_code == 200, url
        headers = re.findall(r"<th[^>]*>(.*?)</th>", page.text, re.S)
        assert headers, f"no table on {url}"
        blank = [h for h in headers if not re.sub(r"<[^>]+>", "", h).strip()]
        assert blank == [], f"{url}: headers without text"
