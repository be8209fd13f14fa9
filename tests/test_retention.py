"""Retention: situation notes older than the council's retention period are deleted by a job,
with one audit entry per council; the period is set per council by its admin."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from brott import jobs
from brott.extensions import db
from brott.models import (
    AuditEntry,
    Council,
    Role,
    SituationNote,
)
from brott.services import audit
from brott.services.retention import months_before

from .conftest import hidden_value, login

NOW = datetime(2026, 3, 31, 3, 0, tzinfo=UTC)  # the nightly run at the end of a month
RETENTION_SUMMARY = "%(count)d situation note older than %(months)d months was deleted."
RETENTION_PLURAL = "%(count)d situation notes older than %(months)d months were deleted."


@pytest.fixture
def other(make_council):
    return make_council(slug="falun")


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council)


def remaining(council: Council) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(db.select(SituationNote.text).filter_by(council_id=council.id)))


def retention_entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(AuditEntry).filter_by(action="retention").order_by(AuditEntry.id)
        )
    )


def test_notes_older_than_24_months_are_deleted_and_younger_ones_kept(council, make_note):
    assert council.note_retention_months == 24
    make_note(council, created_at=datetime(2023, 6, 1, tzinfo=UTC), text="tre år gammal")
    make_note(
        council, created_at=datetime(2024, 3, 30, 12, 0, tzinfo=UTC), text="två år och en dag"
    )
    make_note(
        council, created_at=datetime(2024, 3, 31, 2, 59, tzinfo=UTC), text="precis för gammal"
    )
    make_note(council, created_at=datetime(2024, 3, 31, 3, 0, tzinfo=UTC), text="exakt två år")
    make_note(council, created_at=datetime(2025, 1, 15, tzinfo=UTC), text="fjorton månader")
    make_note(council, created_at=NOW - timedelta(hours=1), text="i natt")

    deleted = jobs.purge_expired_notes(NOW)

    assert deleted == {council.id: 3}
    assert remaining(council) == {"exakt två år", "fjorton månader", "i natt"}
    [entry] = retention_entries()
    assert entry.council_id == council.id
    assert entry.object_type == "note" and entry.object_id is None
    assert entry.actor_id is None and entry.actor_label == "system"
    # stored as a message id with its numbers, shown in the reader's language
    assert entry.summary == RETENTION_SUMMARY
    assert entry.summary_values == {"count": 3, "months": 24, "_plural": RETENTION_PLURAL}
    assert audit.summary_text(entry) == "3 lägesbildsanteckningar äldre än 24 månader raderades."
    assert entry.at == NOW
    # how many, not what they said
    assert "tre år gammal" not in entry.summary + str(entry.summary_values)


def test_retention_counts_from_when_a_note_was_written_not_what_it_observed(council, make_note):
    make_note(
        council,
        created_at=datetime(2026, 1, 10, tzinfo=UTC),
        text="skriven i år om något gammalt",
        observed_from=datetime(2023, 1, 1, tzinfo=UTC),
    )
    assert jobs.purge_expired_notes(NOW) == {}
    assert remaining(council) == {"skriven i år om något gammalt"}


def test_nothing_due_deletes_nothing_and_writes_no_entry(council, other, make_note):
    make_note(council, created_at=datetime(2025, 12, 1, tzinfo=UTC), text="ung")
    assert jobs.purge_expired_notes(NOW) == {}
    assert retention_entries() == []
    assert remaining(council) == {"ung"}


def test_a_second_run_finds_nothing_more_to_do(council, make_note):
    make_note(council, created_at=datetime(2023, 1, 1, tzinfo=UTC), text="gammal")
    assert jobs.purge_expired_notes(NOW) == {council.id: 1}
    assert jobs.purge_expired_notes(NOW + timedelta(days=1)) == {}
    assert len(retention_entries()) == 1


def test_each_council_keeps_notes_for_its_own_period_set_by_its_admin(
    client, council, other, make_user, make_note
):
    falun_admin = make_user(Role.ADMIN, other)
    login(client, falun_admin)
    page = client.get("/r/falun/admin/gallring")
    assert page.status_code == 200
    assert '<option selected value="24">24 månader</option>' in page.text

    version = hidden_value(page.text, "version")
    response = client.post("/r/falun/admin/gallring", data={"months": "6", "version": version})

    assert response.status_code == 302
    assert response.location == "/r/falun/admin/gallring"
    assert "Gallringstiden är sparad." in client.get("/r/falun/admin/gallring").text
    db.session.expire_all()
    assert db.session.get(Council, other.id).note_retention_months == 6
    assert db.session.get(Council, council.id).note_retention_months == 24

    seven_months = datetime(2025, 8, 30, tzinfo=UTC)
    five_months = datetime(2025, 10, 30, tzinfo=UTC)
    make_note(council, created_at=seven_months, text="borlänge, sju månader")
    make_note(council, created_at=datetime(2024, 1, 1, tzinfo=UTC), text="borlänge, drygt två år")
    make_note(other, created_at=seven_months, text="falun, sju månader")
    make_note(
        other,
        created_at=datetime(2025, 9, 30, 2, 0, tzinfo=UTC),
        text="falun, sex månader och en timme",
    )
    make_note(other, created_at=five_months, text="falun, fem månader")

    deleted = jobs.purge_expired_notes(NOW)

    assert deleted == {council.id: 1, other.id: 2}
    assert remaining(council) == {"borlänge, sju månader"}
    assert remaining(other) == {"falun, fem månader"}
    entries = {e.council_id: e for e in retention_entries()}
    assert set(entries) == {council.id, other.id}
    assert entries[council.id].summary_values == {
        "count": 1,
        "months": 24,
        "_plural": RETENTION_PLURAL,
    }
    assert entries[other.id].summary_values == {
        "count": 2,
        "months": 6,
        "_plural": RETENTION_PLURAL,
    }
    assert "1 lägesbildsanteckning äldre" in audit.summary_text(entries[council.id])
    assert "24 månader" in audit.summary_text(entries[council.id])
    assert "2 lägesbildsanteckningar" in audit.summary_text(entries[other.id])
    assert "6 månader" in audit.summary_text(entries[other.id])


def test_a_changed_retention_period_is_audited(client, council, admin):
    login(client, admin)
    version = hidden_value(client.get("/r/borlange/admin/gallring").text, "version")
    client.post("/r/borlange/admin/gallring", data={"months": "12", "version": version})
    db.session.expire_all()
    [entry] = db.session.scalars(
        db.select(AuditEntry).filter_by(object_type="council", action="update")
    ).all()
    assert entry.before == {"note_retention_months": 24}
    assert entry.after == {"note_retention_months": 12}
    assert entry.actor_id == admin.id


@pytest.mark.parametrize("months", ["7", "0", "120", "-6", "sex", ""])
def test_an_invalid_period_is_a_swedish_error_and_changes_nothing(client, council, admin, months):
    login(client, admin)
    response = client.post("/r/borlange/admin/gallring", data={"months": months})
    assert response.status_code == 200
    # a number outside the list: "Inte ett giltigt val"; not a number at all (only a hand-made
    # POST sends one): WTForms' own Swedish "Felaktigt val; kunde inte ceorce:a"
    assert "Inte ett giltigt val" in response.text or "Felaktigt val" in response.text
    db.session.expire_all()
    assert db.session.get(Council, council.id).note_retention_months == 24


@pytest.mark.parametrize("months", [6, 12, 18, 24, 36, 48, 60])
def test_every_offered_period_can_be_chosen(client, council, admin, months):
    login(client, admin)
    page = client.get("/r/borlange/admin/gallring").text
    assert f'value="{months}">{months} månader</option>' in page
    data = {"months": str(months), "version": hidden_value(page, "version")}
    assert client.post("/r/borlange/admin/gallring", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Council, council.id).note_retention_months == months


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER, Role.POLICE])
def test_only_the_admin_sets_the_retention_period(client, council, make_user, role):
    login(client, make_user(role, council))
    assert client.get("/r/borlange/admin/gallring").status_code == 403
    assert client.post("/r/borlange/admin/gallring", data={"months": "6"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Council, council.id).note_retention_months == 24


def test_the_admin_of_another_council_cannot_set_this_councils_period(
    client, council, other, make_user
):
    login(client, make_user(Role.ADMIN, other))
    assert client.post("/r/borlange/admin/gallring", data={"months": "6"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Council, council.id).note_retention_months == 24


def test_the_scheduler_runs_the_retention_job(app):
    """The retention page promises a nightly run; the scheduler must carry the job."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from brott.scheduler import configure

    scheduler = configure(BackgroundScheduler(timezone="UTC"), app)
    scheduled = [job.args[1] for job in scheduler.get_jobs()]
    assert jobs.purge_expired_notes in scheduled


# --- months_before --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31), 1, datetime(2026, 2, 28)),
        (datetime(2024, 3, 31), 1, datetime(2024, 2, 29)),  # leap year
        (datetime(2024, 2, 29), 12, datetime(2023, 2, 28)),
        (datetime(2028, 2, 29), 48, datetime(2024, 2, 29)),
        (datetime(2026, 5, 31), 3, datetime(2026, 2, 28)),
        (datetime(2026, 1, 31), 2, datetime(2025, 11, 30)),
        (datetime(2026, 1, 15), 1, datetime(2025, 12, 15)),
        (datetime(2026, 12, 31), 12, datetime(2025, 12, 31)),
        (datetime(2026, 12, 31), 6, datetime(2026, 6, 30)),
        (datetime(2026, 7, 31), 1, datetime(2026, 6, 30)),
        (datetime(2026, 3, 10), 0, datetime(2026, 3, 10)),
        (datetime(2026, 3, 10), 120, datetime(2016, 3, 10)),
        (datetime(2026, 3, 10), 27, datetime(2023, 12, 10)),
    ],
)
def test_months_before_counts_calendar_months_and_clamps_to_the_months_end(
    moment, months, expected
):
    assert months_before(moment, months) == expected


def test_months_before_keeps_the_time_and_the_timezone():
    stockholm = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 31, 23, 45, 12, 500, tzinfo=stockholm)
    assert months_before(moment, 13) == datetime(2025, 2, 28, 23, 45, 12, 500, tzinfo=stockholm)
    assert months_before(NOW, 24) == datetime(2024, 3, 31, 3, 0, tzinfo=UTC)


def test_retention_also_clears_what_expired_notes_said_from_the_audit_log(council, make_note):
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    old_id = make_note(
        council, created_at=now - timedelta(days=800), text="Klotter på gamla bron"
    ).id
    young_id = make_note(
        council, created_at=now - timedelta(days=10), text="Klotter på nya bron"
    ).id
    # a later edit of the old note: its entry is recent, yet about an expired note
    old = db.session.get(SituationNote, old_id)
    old.text = "Klotter på gamla bron, sanerat"
    db.session.commit()

    jobs.purge_expired_notes(now)

    db.session.expire_all()
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.object_type == "note")
    ).all()
    about_old = [e for e in entries if e.object_id == old_id and e.action != "retention"]
    about_young = [e for e in entries if e.object_id == young_id]
    assert {e.action for e in about_old} == {"create", "update"}
    for entry in about_old:  # who and when remain, the text does not
        assert (entry.before, entry.after, entry.summary) == (None, None, "(deleted by retention)")
        assert audit.summary_text(entry) == "(gallrad)"
    assert about_young and about_young[0].after["text"] == "Klotter på nya bron"
    log = " ".join(str(e.before) + str(e.after) + e.summary for e in entries)
    assert "gamla bron" not in log


def test_the_log_page_shows_the_retention_run_in_the_readers_language(
    client, council, admin, make_note
):
    make_note(council, created_at=datetime(2023, 6, 1, tzinfo=UTC), text="tre år gammal")
    jobs.purge_expired_notes(NOW)
    login(client, admin)
    swedish = client.get("/r/borlange/admin/logg").text
    assert "1 lägesbildsanteckning äldre än 24 månader raderades." in swedish
    assert "%(count)d" not in swedish
    english = client.get("/r/borlange/admin/logg", headers={"Accept-Language": "en"}).text
    assert "1 situation note older than 24 months was deleted." in english
