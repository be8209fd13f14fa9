"""Measures: the list, the page, journaled updates, editing and the edit conflict."""

from datetime import date

import pytest

from brott.errors import ConflictError, DomainError
from brott.extensions import db
from brott.models import Measure, MeasureStatus, MeasureUpdate, Role, utcnow
from brott.services import measures as service

from .conftest import hidden_value, login


@pytest.fixture
def owner(make_user, council):
    return make_user(Role.MEMBER, council, name="Sara Holm")


def journal(measure_id: int) -> list[MeasureUpdate]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(MeasureUpdate).filter_by(measure_id=measure_id).order_by(MeasureUpdate.id)
        )
    )


def reload(measure_id: int) -> Measure:
    db.session.expire_all()
    return db.session.get(Measure, measure_id)


# --- list and page -----------------------------------------------------------------------


def test_list_shows_status_progress_owners_and_last_update(client, council, owner, make_measure):
    make_measure(council, owners=[owner], title="Trygghetsvärdar", progress=60)
    login(client, owner)

    page = client.get("/r/borlange/").text

    assert "Trygghetsvärdar" in page
    assert "Pågår" in page
    assert "60 %" in page
    assert "Sara Holm" in page


def test_list_filters_by_status_owner_and_category(
    client, council, owner, coordinator, make_measure
):
    make_measure(council, owners=[owner], title="Alfa", status=MeasureStatus.DONE, progress=100)
    make_measure(council, owners=[coordinator], title="Beta", category="Näringsliv")
    make_measure(council, owners=[owner], title="Gamma", status=MeasureStatus.PAUSED)
    login(client, owner)

    def titles(query: str) -> set[str]:
        page = client.get(f"/r/borlange/?{query}").text
        return {t for t in ("Alfa", "Beta", "Gamma") if f">{t}</a>" in page}

    assert titles("") == {"Alfa", "Beta", "Gamma"}
    assert titles("status=done") == {"Alfa"}
    assert titles(f"owner={owner.id}") == {"Alfa", "Gamma"}
    assert titles("category=Näringsliv") == {"Beta"}
    assert titles(f"owner={owner.id}&status=paused") == {"Gamma"}


def test_an_invalid_filter_is_reported_and_ignored(client, council, owner, make_measure):
    make_measure(council, owners=[owner], title="Alfa")
    login(client, owner)
    page = client.get("/r/borlange/?status=nonsense&owner=abc").text
    assert "ogiltigt värde" in page
    assert ">Alfa</a>" in page


def test_measure_page_shows_description_owners_partners_dates_and_history(
    client, council, owner, coordinator, make_measure, make_partner
):
    partner = make_partner(council, name="Jernhusen")
    measure = make_measure(
        council,
        owners=[owner],
        partners=[partner],
        title="Cityvärdar",
        description="Värdar på Resecentrum.",
        start_date=date(2018, 3, 1),
        end_date=date(2019, 12, 31),
        next_review_date=date(2019, 6, 1),
    )
    service.record_update(
        measure,
        coordinator,
        MeasureStatus.ONGOING,
        40,
        "Igång",
        utcnow(),
        seen_version=measure.version,
    )
    db.session.commit()
    login(client, owner)

    page = client.get(f"/r/borlange/insatser/{measure.id}").text

    for expected in ("Cityvärdar", "Värdar på Resecentrum.", "Sara Holm", "Jernhusen"):
        assert expected in page
    assert "2018-03-01" in page and "2019-12-31" in page and "2019-06-01" in page
    assert "Igång" in page and "Erik Sandberg" in page


def test_times_are_stored_in_utc_and_shown_in_stockholm_time(client, council, owner, make_measure):
    from datetime import UTC, datetime

    measure = make_measure(
        council, owners=[owner], updated_at=datetime(2019, 7, 1, 10, 0, tzinfo=UTC)
    )
    assert reload(measure.id).updated_at == datetime(2019, 7, 1, 10, 0, tzinfo=UTC)
    login(client, owner)
    page = client.get(f"/r/borlange/insatser/{measure.id}").text
    assert "2019-07-01 12:00" in page  # CEST is UTC+2 in July


def test_unknown_measure_is_a_swedish_404_in_the_layout(client, council, owner):
    login(client, owner)
    response = client.get("/r/borlange/insatser/99999")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text
    assert "Brott" in response.text  # the layout's header


# --- updating status and progress ---------------------------------------------------------


def test_owner_updates_status_and_progress_and_it_is_journaled(
    client, council, owner, make_measure
):
    measure = make_measure(council, owners=[owner], status=MeasureStatus.PLANNED, progress=0)
    login(client, owner)
    form = client.get(f"/r/borlange/insatser/{measure.id}/uppdatera").text

    response = client.post(
        f"/r/borlange/insatser/{measure.id}/uppdatera",
        data={
            "status": "ongoing",
            "progress": "25",
            "comment": "Första passen är bemannade.",
            "version": hidden_value(form, "version"),
        },
    )

    assert response.status_code == 302
    saved = reload(measure.id)
    assert (saved.status, saved.progress) == (MeasureStatus.ONGOING, 25)
    [entry] = journal(measure.id)
    assert entry.author_id == owner.id
    assert (entry.old_status, entry.new_status) == (MeasureStatus.PLANNED, MeasureStatus.ONGOING)
    assert (entry.old_progress, entry.new_progress) == (0, 25)
    assert entry.comment == "Första passen är bemannade."
    history = client.get(f"/r/borlange/insatser/{measure.id}").text
    assert "Planerad" in history and "Första passen är bemannade." in history


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "ongoing", "progress": "30", "comment": ""}, "Skriv en kommentar"),
        ({"status": "ongoing", "progress": "101", "comment": "x"}, "0–100"),
        ({"status": "ongoing", "progress": "-1", "comment": "x"}, "0–100"),
        ({"status": "ongoing", "progress": "mycket", "comment": "x"}, "Inte ett giltigt heltal"),
        ({"status": "ongoing", "progress": "", "comment": "x"}, "Ange framsteget"),
        ({"status": "klar", "progress": "30", "comment": "x"}, "Inte ett giltigt val"),
        (
            {"status": "done", "progress": "80", "comment": "x"},
            "En klar insats har framsteget 100 %",
        ),
        ({"status": "ongoing", "progress": "30", "comment": "x" * 4001}, "högst 4000 tecken"),
    ],
)
def test_bad_update_input_gets_a_swedish_error_keeps_the_input_and_saves_nothing(
    client, council, owner, make_measure, data, message
):
    measure = make_measure(council, owners=[owner], status=MeasureStatus.PLANNED, progress=0)
    login(client, owner)
    version = hidden_value(
        client.get(f"/r/borlange/insatser/{measure.id}/uppdatera").text, "version"
    )

    response = client.post(
        f"/r/borlange/insatser/{measure.id}/uppdatera", data={**data, "version": version}
    )

    assert response.status_code == 200
    assert message in response.text
    if data["comment"] and len(data["comment"]) < 100:
        assert data["comment"] in response.text
    saved = reload(measure.id)
    assert (saved.status, saved.progress, saved.version) == (MeasureStatus.PLANNED, 0, 1)
    assert journal(measure.id) == []


def test_second_save_on_a_stale_form_is_refused_and_shows_what_changed(
    client, app, council, owner, coordinator, make_measure
):
    measure = make_measure(council, owners=[owner], status=MeasureStatus.PLANNED, progress=0)
    url = f"/r/borlange/insatser/{measure.id}/uppdatera"
    other = app.test_client()
    login(client, owner)
    login(other, coordinator)
    mine = hidden_value(client.get(url).text, "version")
    theirs = hidden_value(other.get(url).text, "version")

    first = other.post(
        url,
        data={
            "status": "paused",
            "progress": "10",
            "comment": "Pausad i väntan på budget.",
            "version": theirs,
        },
    )
    second = client.post(
        url, data={"status": "ongoing", "progress": "50", "comment": "Min ändring", "version": mine}
    )

    assert first.status_code == 302
    assert second.status_code == 409
    assert "har ändrats av någon annan" in second.text
    assert "Pausad i väntan på budget." in second.text  # what the other person changed
    assert "Erik Sandberg" in second.text
    assert "Min ändring" in second.text  # the user's input is kept
    saved = reload(measure.id)
    assert (saved.status, saved.progress) == (MeasureStatus.PAUSED, 10)
    assert len(journal(measure.id)) == 1

    # having seen the other change, the user may now save deliberately
    third = client.post(
        url,
        data={
            "status": "ongoing",
            "progress": "50",
            "comment": "Min ändring",
            "version": hidden_value(second.text, "version"),
        },
    )
    assert third.status_code == 302
    assert reload(measure.id).progress == 50


def test_a_concurrent_save_between_check_and_write_is_caught_by_the_version_column(
    app, council, owner, coordinator, make_measure
):
    """Two sessions load version 1; the second flush matches no row and becomes a conflict."""
    measure = make_measure(council, owners=[owner])
    other_session = db.session.session_factory()
    try:
        theirs = other_session.get(Measure, measure.id)
        theirs.progress = 90
        other_session.commit()
    finally:
        other_session.close()
    # our session still holds version 1 in its identity map, as a request would mid-flight
    with pytest.raises(ConflictError):
        service.record_update(
            measure, owner, MeasureStatus.ONGOING, 20, "x", utcnow(), seen_version=1
        )
    db.session.rollback()
    assert reload(measure.id).progress == 90


def test_missing_version_counts_as_a_conflict(client, council, owner, make_measure):
    measure = make_measure(council, owners=[owner])
    login(client, owner)
    response = client.post(
        f"/r/borlange/insatser/{measure.id}/uppdatera",
        data={"status": "ongoing", "progress": "20", "comment": "x"},
    )
    assert "har ändrats av någon annan" in response.text
    assert journal(measure.id) == []


# --- creating and editing (coordinator) ------------------------------------------------


def test_coordinator_creates_a_measure_with_owners_and_partners(
    client, council, owner, coordinator, make_partner
):
    police = make_partner(council, name="Polisen")
    login(client, coordinator)

    response = client.post(
        "/r/borlange/insatser/ny",
        data={
            "title": "Trygghetsvandringar",
            "category": "Fysisk miljö",
            "description": "Vandringar som leder till handlingsplaner.",
            "start_date": "2018-04-01",
            "end_date": "2019-12-31",
            "owner_ids": [str(owner.id), str(coordinator.id)],
            "partner_ids": [str(police.id)],
        },
    )

    assert response.status_code == 302
    measure = db.session.scalars(db.select(Measure).filter_by(title="Trygghetsvandringar")).one()
    assert {u.id for u in measure.owners} == {owner.id, coordinator.id}
    assert [p.name for p in measure.partners] == ["Polisen"]
    assert measure.status is MeasureStatus.PLANNED
    assert measure.council_id == council.id
    assert [e.comment for e in journal(measure.id)] == ["Insatsen skapades."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Ange en titel."),
        ({"title": "x" * 201}, "högst 200 tecken"),
        ({"title": "A", "start_date": "2019-02-30"}, "Inte ett giltigt datum"),
        (
            {"title": "A", "start_date": "2019-05-01", "end_date": "2019-04-01"},
            "Slutdatum kan inte",
        ),
    ],
)
def test_bad_measure_input_gets_a_swedish_error_keeps_the_input_and_saves_nothing(
    client, council, coordinator, data, message
):
    login(client, coordinator)
    data = {"description": "Min text som ska finnas kvar", **data}
    response = client.post("/r/borlange/insatser/ny", data=data)
    assert response.status_code == 200
    assert message in response.text
    assert "Min text som ska finnas kvar" in response.text
    assert db.session.scalar(db.select(db.func.count(Measure.id))) == 0


def test_an_owner_from_another_council_is_refused(
    client, council, coordinator, make_user, make_council
):
    outsider = make_user(Role.MEMBER, make_council())
    login(client, coordinator)
    response = client.post(
        "/r/borlange/insatser/ny", data={"title": "A", "owner_ids": [str(outsider.id)]}
    )
    assert response.status_code == 200
    assert "inte ett giltigt val" in response.text
    assert db.session.scalar(db.select(db.func.count(Measure.id))) == 0


def test_service_refuses_owner_outside_the_council(
    app, council, coordinator, make_user, make_council
):
    outsider = make_user(Role.MEMBER, make_council())
    with pytest.raises(DomainError, match="aktiva medlemmar"):
        service.create_measure(
            council.id,
            coordinator,
            service.MeasureData(title="A", owner_ids=[outsider.id]),
            utcnow(),
        )


def test_police_cannot_be_made_owner(app, council, coordinator, make_user):
    police = make_user(Role.POLICE, council)
    with pytest.raises(DomainError):
        service.create_measure(
            council.id,
            coordinator,
            service.MeasureData(title="A", owner_ids=[police.id]),
            utcnow(),
        )


def test_coordinator_edit_is_journaled_with_old_and_new_values(
    client, council, owner, coordinator, make_measure
):
    measure = make_measure(council, owners=[owner], title="Gammal titel")
    login(client, coordinator)
    url = f"/r/borlange/insatser/{measure.id}/redigera"
    version = hidden_value(client.get(url).text, "version")

    response = client.post(
        url,
        data={
            "title": "Ny titel",
            "category": "Samverkan",
            "description": "Beskrivning",
            "owner_ids": [str(owner.id), str(coordinator.id)],
            "comment": "Fler ansvariga",
            "version": version,
        },
    )

    assert response.status_code == 302
    [entry] = journal(measure.id)
    assert entry.changes["title"] == ["Gammal titel", "Ny titel"]
    assert entry.changes["owners"] == ["Sara Holm", "Erik Sandberg, Sara Holm"]
    assert entry.comment == "Fler ansvariga"
    page = client.get(f"/r/borlange/insatser/{measure.id}").text
    assert "Gammal titel" in page and "Ny titel" in page


def test_edit_on_a_stale_form_is_refused(client, app, council, owner, coordinator, make_measure):
    measure = make_measure(council, owners=[owner], title="Titel")
    login(client, coordinator)
    url = f"/r/borlange/insatser/{measure.id}/redigera"
    version = hidden_value(client.get(url).text, "version")
    other = app.test_client()
    login(other, owner)
    update_url = f"/r/borlange/insatser/{measure.id}/uppdatera"
    other.post(
        update_url,
        data={
            "status": "done",
            "progress": "100",
            "comment": "Klart!",
            "version": hidden_value(other.get(update_url).text, "version"),
        },
    )

    response = client.post(url, data={"title": "Min titel", "version": version})

    assert "har ändrats av någon annan" in response.text
    assert "Klart!" in response.text
    assert 'value="Min titel"' in response.text
    assert reload(measure.id).title == "Titel"


def test_unchanged_edit_without_comment_writes_no_journal_entry(
    app, council, owner, coordinator, make_measure
):
    measure = make_measure(council, owners=[owner], title="Titel", description="B", category="K")
    data = service.MeasureData(title="Titel", description="B", category="K", owner_ids=[owner.id])
    edited = service.edit_measure(
        measure, coordinator, data, utcnow(), seen_version=measure.version
    )
    assert edited is None
