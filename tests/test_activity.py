"""Activity logs: entries with kind, place, people reached and a photo; filters, totals and
pages; a situation note made from an entry; the council's kinds."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from brott.extensions import db
from brott.models import MeasureTool, Role, SituationNote
from brott.models.activity import ActivityEntry, ActivityKind
from brott.services import activity as service

from .conftest import logged_in
from .test_query_counts import counted_statements

NOW = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def owner(make_user, council):
    return make_user(Role.MEMBER, council, name="Tove Trygghetsvärd")


@pytest.fixture
def measure(make_measure, council, owner):
    return make_measure(
        council, owners=[owner], title="Trygghetsvärdar", tool=MeasureTool.ACTIVITY_LOG
    )


@pytest.fixture
def kinds(council, measure):
    found = {k.name: k for k in service.kinds(council.id)}
    db.session.commit()
    return found


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _entry(kind, place=None, **overrides) -> dict:
    data = {
        "on_date": "2025-06-14",
        "at_time": "21:30",
        "kind_id": str(kind.id),
        "place_id": str(place.id) if place else "",
        "people_reached": "12",
        "text": "Samtal med ungdomar vid busstorget",
    }
    data.update(overrides)
    return data


def test_the_owner_logs_an_entry_with_a_photo_that_only_readers_see(
    app, frozen, owner, measure, kinds, make_place, make_council, make_user, police
):
    place = make_place(measure.council, "Busstorget")
    client = logged_in(app, owner)
    url = f"/r/borlange/insatser/{measure.id}/aktiviteter/ny"
    page = client.get(url).text
    assert 'enctype="multipart/form-data"' in page and 'value="2025-06-15"' in page
    data = _entry(kinds["Patrullering/observation"], place)
    data["photo"] = (io.BytesIO(_jpeg()), "bild.jpg")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    entry = db.session.scalars(db.select(ActivityEntry)).one()
    assert (entry.people_reached, entry.place_id, entry.author_id) == (12, place.id, owner.id)
    assert entry.photo_id is not None
    db.session.rollback()
    listing = client.get(f"/r/borlange/insatser/{measure.id}/aktiviteter").text
    assert "Samtal med ungdomar" in listing and "Busstorget" in listing
    photo_url = f"/r/borlange/aktiviteter/{entry.id}/foto"
    seen = logged_in(app, police).get(photo_url)
    assert seen.status_code == 200 and (seen.mimetype or "").startswith("image/")
    seen.close()
    stranger = make_user(Role.COORDINATOR, make_council())
    assert logged_in(app, stranger).get(photo_url).status_code == 404


BAD_ENTRIES = [
    ({"people_reached": "-1"}, "people_reached", "Ange ett tal mellan 0 och 100000."),
    ({"on_date": "2025-06-31"}, "on_date", "datum"),
    ({"on_date": "2025-07-01"}, "on_date", "Datumet kan inte ligga i framtiden."),
    ({"text": "Ring 070-123 45 67"}, "text", "telefonnummer"),
]


def test_bad_entries_are_refused_at_their_field_with_the_input_kept(
    app, frozen, owner, measure, kinds
):
    client = logged_in(app, owner)
    for typed, field, message in BAD_ENTRIES:
        data = _entry(kinds["Dialogmöte"]) | typed
        response = client.post(f"/r/borlange/insatser/{measure.id}/aktiviteter/ny", data=data)
        assert response.status_code == 200
        error = response.text.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
        assert message in error
        assert data["text"] in response.text
    assert db.session.scalars(db.select(ActivityEntry)).all() == []


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(
    app, frozen, owner, measure, kinds
):
    data = _entry(kinds["Dialogmöte"])
    data["photo"] = (io.BytesIO(b"%PDF-1.4 not an image"), "bild.jpg")
    response = logged_in(app, owner).post(
        f"/r/borlange/insatser/{measure.id}/aktiviteter/ny",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and 'id="photo-error"' in response.text
    assert db.session.scalars(db.select(ActivityEntry)).all() == []


def _add(measure, kind, n: int, start: date = date(2025, 6, 1), people: int = 3) -> None:
    db.session.add_all(
        ActivityEntry(
            council_id=measure.council_id,
            measure_id=measure.id,
            on_date=start - timedelta(days=i % 60),
            kind_id=kind.id,
            people_reached=people,
            text=f"Händelse {i}",
        )
        for i in range(n)
    )
    db.session.commit()


def test_filters_totals_and_pages(app, frozen, member, measure, kinds):
    _add(measure, kinds["Träff"], 55, people=2)
    _add(measure, kinds["Evenemang"], 3, start=date(2025, 1, 10), people=100)
    client = logged_in(app, member)
    base = f"/r/borlange/insatser/{measure.id}/aktiviteter"
    page = client.get(base).text
    assert "58 anteckningar" in page and "410 personer nådda" in page
    assert "Sida 1 av 2" in page
    evenemang = kinds["Evenemang"].id
    page = client.get(f"{base}?kind={evenemang}&start=2025-01-01&end=2025-01-31").text
    assert "3 anteckningar" in page and "300 personer nådda" in page
    assert "Händelse 0" in page and "Sida" not in page
    assert "Händelse 54" in client.get(f"{base}?page=2").text


def test_the_list_runs_as_many_statements_for_200_entries_as_for_10(
    app, member, measure, kinds, make_place
):
    place = make_place(measure.council)
    client = logged_in(app, member)
    url = f"/r/borlange/insatser/{measure.id}/aktiviteter"

    def statements() -> int:
        with counted_statements() as found:
            assert client.get(url).status_code == 200
        return len(found)

    _add(measure, kinds["Träff"], 10)
    db.session.execute(db.update(ActivityEntry).values(place_id=place.id))
    db.session.commit()
    at_10 = statements()
    _add(measure, kinds["Kull"], 190)
    assert statements() == at_10


def test_an_observation_becomes_a_situation_note_linked_back(
    app, frozen, owner, measure, kinds, make_place, make_category
):
    place = make_place(measure.council, "Resecentrum")
    category = make_category(measure.council, "Otrygg plats")
    entry = ActivityEntry(
        council_id=measure.council_id,
        measure_id=measure.id,
        on_date=date(2025, 6, 14),
        kind_id=kinds["Patrullering/observation"].id,
        place_id=place.id,
        text="Trasig belysning vid entrén",
    )
    db.session.add(entry)
    db.session.commit()
    client = logged_in(app, owner)
    url = f"/r/borlange/aktiviteter/{entry.id}/lagesbild"
    page = client.get(url).text
    assert "Trasig belysning vid entrén" in page and 'value="2025-06-14T12:00"' in page
    form = {
        "observed_from": "2025-06-14T21:00",
        "place_id": str(place.id),
        "category_id": str(category.id),
        "source": "safety_host",
        "text": "",
        "visibility": "shared",
        "measure_id": str(measure.id),
    }
    refused = client.post(url, data=form)  # the notes' own rules apply
    assert refused.status_code == 200 and 'id="text-error"' in refused.text
    form["text"] = "Trasig belysning vid entrén kvällstid"
    response = client.post(url, data=form)
    assert response.status_code == 302
    note = db.session.scalars(db.select(SituationNote)).one()
    db.session.refresh(entry)
    assert entry.note_id == note.id and note.place_id == place.id
    db.session.rollback()
    assert client.get(url).headers["Location"].endswith(f"/lagesbild/{note.id}")


def test_a_coordinator_keeps_the_list_of_kinds(app, coordinator, council):
    client = logged_in(app, coordinator)
    assert "Dialogmöte" in client.get("/r/borlange/aktivitetstyper").text
    assert (
        client.post("/r/borlange/aktivitetstyper", data={"name": "Föräldraträff"}).status_code
        == 302
    )
    twin = client.post("/r/borlange/aktivitetstyper", data={"name": " föräldraträff "})
    assert "Listan har redan en typ med det namnet." in twin.text
    kind = db.session.scalars(
        db.select(ActivityKind).where(ActivityKind.name == "Föräldraträff")
    ).one()
    db.session.rollback()
    client.post(f"/r/borlange/aktivitetstyper/{kind.id}/vaxla")
    db.session.refresh(kind)
    assert not kind.active


def test_refusals(app, measure, kinds, member, police, make_measure, council, coordinator):
    entry_url = f"/r/borlange/insatser/{measure.id}/aktiviteter/ny"
    # a member who does not own the measure, and the police, may read but not write
    for person in (member, police):
        client = logged_in(app, person)
        assert client.get(f"/r/borlange/insatser/{measure.id}/aktiviteter").status_code == 200
        assert client.get(entry_url).status_code == 403
        assert client.get("/r/borlange/aktivitetstyper").status_code == 403
    assert app.test_client().get(entry_url).status_code == 302  # to the login
    # a measure whose tool is not the activity log has none
    other = make_measure(council, tool=None)
    client = logged_in(app, coordinator)
    assert client.get(f"/r/borlange/insatser/{other.id}/aktiviteter").status_code == 404
