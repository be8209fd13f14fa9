"""Situation notes: writing, browsing with counts, the personal-data guard, who sees and edits
which, the EST meeting's situation picture, and the council's places and categories."""

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from brott.errors import DomainError
from brott.extensions import db
from brott.models import (
    Membership,
    NoteCategory,
    NoteSource,
    Place,
    Role,
    SituationNote,
    Visibility,
)
from brott.policy import Viewer
from brott.services import notes as note_service
from brott.services import places as place_service

from .conftest import hidden_value, login

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday, 13:00 in Stockholm (CET)


@pytest.fixture
def other_member(make_user, council):
    return make_user(Role.MEMBER, council, name="Anna Ek")


@dataclass
class Lists:
    resecentrum: Place
    centrum: Place
    klotter: NoteCategory
    storning: NoteCategory


@pytest.fixture
def lists(council, make_place, make_category) -> Lists:
    """The council's places and categories, as a coordinator would have set them up."""
    return Lists(
        make_place(council, "Resecentrum", latitude=60.4858, longitude=15.4358),
        make_place(council, "Centrum"),
        make_category(council, "Klotter"),
        make_category(council, "Störning"),
    )


def note_form(lists: Lists, **overrides) -> dict:
    data = {
        "observed_from": "2026-03-10T10:30",  # Stockholm wall clock = 09:30 UTC
        "observed_to": "2026-03-10T11:15",
        "place_id": str(lists.resecentrum.id),
        "category_id": str(lists.klotter.id),
        "source": "city_host",
        "text": "Nytt klotter på perrongtaket, samma signatur som förra veckan.",
        "visibility": "internal",
        "measure_id": "",
    }
    data.update(overrides)
    return data


def all_notes() -> list[SituationNote]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(SituationNote).order_by(SituationNote.id)))


def membership_of(user, council) -> Membership:
    return db.session.scalars(
        db.select(Membership).filter_by(user_id=user.id, council_id=council.id)
    ).one()


def options(page: str, select_name: str) -> dict[str, str]:
    """The options of a <select> in a page: value → label."""
    match = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {select_name!r} in the page"
    return {
        value: html.unescape(label.strip())
        for value, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>(.*?)</option>', match[1])
    }


def count_table(page: str) -> dict[tuple[str, str], int]:
    """The counts table of the notes list: (place, category) → count (empty cells left out)."""
    match = re.search(r'<table class="counts">(.*?)</table>', page, re.S)
    if match is None:
        return {}
    table = match[1]
    header = re.search(r"<thead>(.*?)</thead>", table, re.S)[1]
    categories = [html.unescape(c) for c in re.findall(r"<th>(.*?)</th>", header)][1:-1]
    found = {}
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S)[1]
    for row in re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", body, re.S):
        place, cells = html.unescape(row[0]), re.findall(r"<td>(.*?)</td>", row[1], re.S)
        for category, cell in zip(categories, cells, strict=False):
            if cell.strip():
                found[(place, category)] = int(cell)
        assert re.sub(r"</?strong>", "", cells[-1]) == str(
            sum(int(c) for c in cells[:-1] if c.strip())
        ), "the row's total is its sum"
    return found


def listed_texts(page: str) -> list[str]:
    body = re.search(r'<table class="notes">(.*?)</table>', page, re.S)[1]
    return [html.unescape(t) for t in re.findall(r"<td>([^<]*)</td>\s*<td><span", body)]


# --- writing notes --------------------------------------------------------------------------


def test_member_writes_an_internal_and_a_shared_note(client, frozen, council, member, lists):
    login(client, member)
    form_page = client.get("/r/borlange/lagesbild/ny")
    assert form_page.status_code == 200
    assert options(form_page.text, "visibility") == {
        "internal": "Intern (kommunen)",
        "shared": "Delad med polisen",
    }
    assert "inte personer" in form_page.text  # the reminder to describe places, not persons

    internal = client.post("/r/borlange/lagesbild/ny", data=note_form(lists))
    shared = client.post(
        "/r/borlange/lagesbild/ny",
        data=note_form(
            lists,
            observed_from="2026-03-09T21:00",
            observed_to="",
            place_id=str(lists.centrum.id),
            category_id=str(lists.storning.id),
            source="safety_host",
            text="  Högljudd samling vid busshållplatsen sent på kvällen.  ",
            visibility="shared",
        ),
    )

    assert internal.status_code == 302 and shared.status_code == 302
    first, second = all_notes()
    assert internal.location == f"/r/borlange/lagesbild/{first.id}"
    assert shared.location == f"/r/borlange/lagesbild/{second.id}"
    assert first.visibility is Visibility.INTERNAL and second.visibility is Visibility.SHARED
    assert first.observed_from == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert first.observed_to == datetime(2026, 3, 10, 10, 15, tzinfo=UTC)
    assert (first.place_id, first.category_id) == (lists.resecentrum.id, lists.klotter.id)
    assert first.source is NoteSource.CITY_HOST and first.measure_id is None
    assert first.author_id == member.id and first.council_id == council.id
    assert first.created_at == NOW
    assert second.observed_from == datetime(2026, 3, 9, 20, 0, tzinfo=UTC)
    assert second.observed_to is None
    assert second.text == "Högljudd samling vid busshållplatsen sent på kvällen."  # trimmed

    page = client.get(f"/r/borlange/lagesbild/{first.id}").text
    assert "Resecentrum · Klotter" in page
    assert "Nytt klotter på perrongtaket" in page
    assert "2026-03-10 10:30 – 2026-03-10 11:15" in page  # shown in Stockholm time
    assert "Intern (kommunen)" in page and "Cityvärd" in page and "Sara Holm" in page
    assert "Delad med polisen" in client.get(f"/r/borlange/lagesbild/{second.id}").text


def test_a_note_can_be_linked_to_one_of_the_councils_measures(
    client, frozen, council, member, lists, make_measure
):
    measure = make_measure(council, title="Cityvärdar")
    login(client, member)
    assert options(client.get("/r/borlange/lagesbild/ny").text, "measure_id") == {
        "": "Ingen",
        str(measure.id): "Cityvärdar",
    }
    response = client.post(
        "/r/borlange/lagesbild/ny", data=note_form(lists, measure_id=str(measure.id))
    )
    assert response.status_code == 302
    [note] = all_notes()
    assert note.measure_id == measure.id


def test_the_service_refuses_a_measure_of_another_council(
    frozen, council, member, lists, make_council, make_measure
):
    foreign = make_measure(make_council())
    data = note_service.NoteData(
        observed_from=NOW - timedelta(hours=1),
        place_id=lists.resecentrum.id,
        category_id=lists.klotter.id,
        source=NoteSource.OTHER,
        text="Mönster",
        visibility=Visibility.INTERNAL,
        measure_id=foreign.id,
    )
    with pytest.raises(DomainError, match="Okänd insats"):
        note_service.create_note(Viewer.member(membership_of(member, council)), member, data, NOW)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": ""}, "Skriv vad som observerades."),
        ({"text": "   \n  "}, "Skriv vad som observerades."),
        (
            {"observed_from": "2026-03-10T10:30", "observed_to": "2026-03-10T09:00"},
            "Sluttiden kan inte ligga före starttiden.",
        ),
        ({"observed_from": ""}, "Ange när det observerades (datum och tid)."),
        ({"observed_from": "igår kväll"}, "Inte ett giltigt datum-/tidsvärde"),
        ({"place_id": "999999"}, "Inte ett giltigt val"),
        ({"category_id": "999999"}, "Inte ett giltigt val"),
        ({"source": "grannen"}, "Inte ett giltigt val"),
        ({"text": "x" * 2001}, "Texten får vara högst 2000 tecken."),
        # 13:00 in Stockholm is NOW; 13:30 lies in the future
        (
            {"observed_from": "2026-03-10T13:30", "observed_to": ""},
            "Observationen kan inte ligga i framtiden.",
        ),
    ],
    ids=[
        "empty-text",
        "blank-text",
        "end-before-start",
        "no-start",
        "start-not-a-time",
        "unknown-place",
        "unknown-category",
        "unknown-source",
        "text-too-long",
        "future",
    ],
)
def test_bad_note_input_gets_a_swedish_error_keeps_the_text_and_saves_nothing(
    client, frozen, council, member, lists, overrides, message
):
    login(client, member)
    data = note_form(lists, **overrides)
    response = client.post("/r/borlange/lagesbild/ny", data=data)

    assert response.status_code == 200
    assert message in html.unescape(response.text)
    assert "data-error-summary" in response.text  # the summary atop the form names it
    if data["text"].strip():
        assert html.escape(data["text"], quote=False) in response.text  # the text is kept
    assert all_notes() == []


def test_a_note_at_the_edge_of_the_future_tolerance_is_accepted(
    client, frozen, council, member, lists
):
    login(client, member)
    # 13:05 in Stockholm is five minutes ahead of the clock: clocks differ a little
    response = client.post(
        "/r/borlange/lagesbild/ny",
        data=note_form(lists, observed_from="2026-03-10T13:05", observed_to=""),
    )
    assert response.status_code == 302
    assert len(all_notes()) == 1


def test_places_and_categories_of_another_council_or_out_of_use_are_refused(
    client, frozen, council, member, lists, make_council, make_place, make_category
):
    other = make_council()
    foreign_place = make_place(other, "Falu torg")
    foreign_category = make_category(other, "Klotter")
    old_category = make_category(council, "Gammal kategori")
    place_service.set_active(old_category, False)
    db.session.commit()
    login(client, member)
    for overrides in (
        {"place_id": str(foreign_place.id)},
        {"category_id": str(foreign_category.id)},
        {"category_id": str(old_category.id)},
    ):
        response = client.post("/r/borlange/lagesbild/ny", data=note_form(lists, **overrides))
        assert response.status_code == 200, overrides
        assert "Inte ett giltigt val" in response.text, overrides
    assert all_notes() == []


def test_the_service_refuses_a_category_out_of_use(frozen, council, member, lists):
    place_service.set_active(lists.storning, False)
    db.session.commit()
    data = note_service.NoteData(
        observed_from=NOW - timedelta(hours=1),
        place_id=lists.resecentrum.id,
        category_id=lists.storning.id,
        source=NoteSource.OTHER,
        text="Mönster",
        visibility=Visibility.INTERNAL,
    )
    with pytest.raises(DomainError, match=re.escape("Välj en kategori ur rådets lista.")):
        note_service.create_note(Viewer.member(membership_of(member, council)), member, data, NOW)
    place_service.set_active(lists.centrum, False)
    db.session.commit()
    data.place_id, data.category_id = lists.centrum.id, lists.klotter.id
    with pytest.raises(DomainError, match=re.escape("Välj en plats ur rådets lista.")):
        note_service.create_note(Viewer.member(membership_of(member, council)), member, data, NOW)


@pytest.mark.parametrize(
    ("found", "label"),
    [
        ("19121212-1212", "ett personnummer"),
        ("121212-1212", "ett personnummer"),
        ("070-123 45 67", "ett telefonnummer"),
        ("+46 70 123 45 67", "ett telefonnummer"),
        ("kalle.anka@exempel.se", "en e-postadress"),
    ],
)
def test_personal_data_in_a_note_is_refused_quoting_what_was_found(
    client, frozen, council, member, lists, found, label
):
    text = f"Boende på plan 3 hör av sig om störningarna, nås på {found} efter kl 17."
    login(client, member)
    response = client.post("/r/borlange/lagesbild/ny", data=note_form(lists, text=text))

    assert response.status_code == 200
    page = html.unescape(response.text)
    assert f"Texten innehåller något som ser ut som {label}: ”{found}”." in page
    assert "Beskriv platser, tider och mönster – inte enskilda personer." in page
    assert text in page  # kept, so the writer can take the part out
    assert all_notes() == []


def test_the_guard_also_stops_personal_data_when_a_note_is_edited(
    client, frozen, council, member, lists, make_note
):
    note = make_note(
        council, member, lists.centrum, lists.klotter, "Klotter i tunneln", NOW - timedelta(days=1)
    )
    login(client, member)
    response = client.post(
        f"/r/borlange/lagesbild/{note.id}/redigera",
        data={
            **note_form(lists, text="Ring 0701234567 om det händer igen"),
            "version": str(note.version),
        },
    )
    assert response.status_code == 200
    assert "ett telefonnummer: ”0701234567”" in html.unescape(response.text)
    assert all_notes()[0].text == "Klotter i tunneln"


def test_dates_times_and_case_numbers_are_not_mistaken_for_personal_data(
    client, frozen, council, member, lists
):
    text = (
        "Anmält under K123456-26 och 5000-K123456-26. Störning 2026-03-09 22:00–02:00, "
        "postnummer 784 33, skadan uppskattas till 12 500 kr."
    )
    login(client, member)
    response = client.post("/r/borlange/lagesbild/ny", data=note_form(lists, text=text))
    assert response.status_code == 302
    assert all_notes()[0].text == text


# --- browsing: filters and counts -----------------------------------------------------------


@pytest.fixture
def browsed(council, coordinator, police, lists, make_note):
    """Notes over a few weeks: places, categories, sources and visibilities mixed."""
    day = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    rows = [
        ("A klotter resecentrum delad", lists.resecentrum, lists.klotter, 0, "shared", "city"),
        ("B klotter resecentrum intern", lists.resecentrum, lists.klotter, 2, "internal", "city"),
        ("C störning centrum intern", lists.centrum, lists.storning, 4, "internal", "housing"),
        ("D störning centrum delad", lists.centrum, lists.storning, 6, "shared", "police"),
        ("E klotter centrum delad", lists.centrum, lists.klotter, 8, "shared", "city"),
        ("F gammal störning", lists.resecentrum, lists.storning, -40, "shared", "city"),
    ]
    sources = {
        "city": NoteSource.CITY_HOST,
        "housing": NoteSource.HOUSING,
        "police": NoteSource.POLICE,
    }
    for text, place, category, days, visibility, source in rows:
        make_note(
            council,
            police if source == "police" else coordinator,
            place,
            category,
            text,
            day + timedelta(days=days),
            Visibility(visibility),
            sources[source],
        )


def test_notes_list_shows_the_last_four_weeks_with_counts_per_place_and_category(
    client, frozen, council, member, browsed
):
    login(client, member)
    page = client.get("/r/borlange/lagesbild/").text

    assert listed_texts(page) == [  # newest observation first; F is older than 28 days
        "E klotter centrum delad",
        "D störning centrum delad",
        "C störning centrum intern",
        "B klotter resecentrum intern",
        "A klotter resecentrum delad",
    ]
    assert count_table(page) == {
        ("Centrum", "Klotter"): 1,
        ("Centrum", "Störning"): 2,
        ("Resecentrum", "Klotter"): 2,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start=2026-03-03&end=2026-03-05", ["C", "B"]),
        ("start=2026-03-05", ["E", "D", "C"]),
        ("start=2026-01-01&end=2026-02-28", ["F"]),
        ("start=2026-01-01&place={centrum}", ["E", "D", "C"]),
        ("start=2026-01-01&category={storning}", ["D", "C", "F"]),
        ("start=2026-01-01&source=city_host", ["E", "B", "A", "F"]),
        ("start=2026-01-01&visibility=internal", ["C", "B"]),
        ("start=2026-01-01&visibility=shared&category={klotter}", ["E", "A"]),
        ("start=2026-01-01&place={resecentrum}&source=police", []),
    ],
)
def test_notes_list_filters_by_period_place_category_source_and_visibility(
    client, frozen, council, member, lists, browsed, query, expected
):
    login(client, member)
    ids = {name: item.id for name, item in vars(lists).items()}
    url = "/r/borlange/lagesbild/?" + query.format(**ids)
    page = client.get(url).text
    assert [t[0] for t in listed_texts(page)] == expected
    assert sum(count_table(page).values()) == len(expected)
    if not expected:
        assert "Inga anteckningar matchar filtret." in page
        assert "Inga anteckningar för perioden." in page


def test_the_end_date_includes_the_whole_day_in_stockholm(
    client, frozen, council, member, lists, make_note
):
    # 23:30 on 4 March in Stockholm is 22:30 UTC: still the 4th
    make_note(
        council,
        member,
        lists.centrum,
        lists.klotter,
        "Sent på kvällen",
        datetime(2026, 3, 4, 22, 30, tzinfo=UTC),
    )
    login(client, member)
    assert listed_texts(client.get("/r/borlange/lagesbild/?start=2026-03-04&end=2026-03-04").text)
    assert not listed_texts(
        client.get("/r/borlange/lagesbild/?start=2026-03-05&end=2026-03-05").text
    )


def test_a_bad_filter_value_is_reported_and_not_used(client, frozen, council, member, browsed):
    login(client, member)
    page = client.get("/r/borlange/lagesbild/?start=igår&source=grannen").text
    assert "Ett filter hade ett ogiltigt värde och användes inte." in page


# --- the police ---------------------------------------------------------------------------


def test_police_see_only_shared_notes_and_get_404_for_an_internal_one(
    client, frozen, council, police, browsed
):
    login(client, police)
    page = client.get("/r/borlange/lagesbild/").text

    assert [t[0] for t in listed_texts(page)] == ["E", "D", "A"]
    assert count_table(page) == {
        ("Centrum", "Klotter"): 1,
        ("Centrum", "Störning"): 1,
        ("Resecentrum", "Klotter"): 1,
    }
    assert "Du ser de anteckningar som kommunen delar med polisen." in page
    assert 'name="visibility"' not in page  # no visibility filter for the police
    # asking for internal notes explicitly shows nothing either
    assert listed_texts(client.get("/r/borlange/lagesbild/?visibility=internal").text) == []

    notes = {n.text[0]: n.id for n in all_notes()}
    assert client.get(f"/r/borlange/lagesbild/{notes['A']}").status_code == 200
    for letter in ("B", "C"):
        assert client.get(f"/r/borlange/lagesbild/{notes[letter]}").status_code == 404
        assert client.get(f"/r/borlange/lagesbild/{notes[letter]}/redigera").status_code == 404
        assert client.post(f"/r/borlange/lagesbild/{notes[letter]}/ta-bort").status_code == 404
    assert len(all_notes()) == 6


def test_police_write_a_shared_note_and_are_offered_nothing_else(
    client, frozen, council, police, lists
):
    login(client, police)
    form_page = client.get("/r/borlange/lagesbild/ny").text
    assert options(form_page, "visibility") == {"shared": "Delad med polisen"}

    response = client.post(
        "/r/borlange/lagesbild/ny",
        data=note_form(lists, visibility="shared", source="police", text="Rån på perrongen"),
    )

    assert response.status_code == 302
    [note] = all_notes()
    assert (note.visibility, note.author_id, note.source) == (
        Visibility.SHARED,
        police.id,
        NoteSource.POLICE,
    )


def test_a_police_post_asking_for_an_internal_note_is_refused(
    client, frozen, council, police, lists
):
    login(client, police)
    response = client.post(
        "/r/borlange/lagesbild/ny",
        data=note_form(lists, visibility="internal", text="Spaning mot trapphuset"),
    )

    # a hand-made POST must be refused with a Swedish error, not silently saved as shared
    assert response.status_code == 200
    assert "Inte ett giltigt val" in response.text or "Polisen kan bara skriva" in response.text
    assert "Spaning mot trapphuset" in response.text
    assert all_notes() == []


def test_the_service_refuses_an_internal_note_from_the_police(frozen, council, police, lists):
    data = note_service.NoteData(
        observed_from=NOW - timedelta(hours=1),
        place_id=lists.resecentrum.id,
        category_id=lists.klotter.id,
        source=NoteSource.POLICE,
        text="Mönster",
        visibility=Visibility.INTERNAL,
    )
    refusal = re.escape("Polisen kan bara skriva anteckningar som delas.")
    with pytest.raises(DomainError, match=refusal):
        note_service.create_note(Viewer.member(membership_of(police, council)), police, data, NOW)
    db.session.rollback()
    assert all_notes() == []


# --- editing and deleting -------------------------------------------------------------------


@pytest.fixture
def members_note(council, member, lists, make_note) -> SituationNote:
    return make_note(
        council,
        member,
        lists.resecentrum,
        lists.klotter,
        "Klotter på perrongtaket",
        datetime(2026, 3, 10, 9, 30, tzinfo=UTC),
        Visibility.INTERNAL,
        NoteSource.CITY_HOST,
    )


def test_the_author_edits_their_note_from_a_form_showing_its_values(
    client, frozen, council, member, lists, members_note
):
    login(client, member)
    form_page = client.get(f"/r/borlange/lagesbild/{members_note.id}/redigera").text
    assert 'value="2026-03-10T10:30"' in form_page  # Stockholm wall clock
    assert "Klotter på perrongtaket" in form_page
    assert re.search(rf'<option selected value="{lists.resecentrum.id}">', form_page)
    assert re.search(r'<option selected value="internal">', form_page)

    response = client.post(
        f"/r/borlange/lagesbild/{members_note.id}/redigera",
        data={
            **note_form(lists, text="Klotter på perrongtaket, nu sanerat", visibility="shared"),
            "version": hidden_value(form_page, "version"),
        },
    )

    assert response.status_code == 302
    [note] = all_notes()
    assert note.text == "Klotter på perrongtaket, nu sanerat"
    assert note.visibility is Visibility.SHARED
    assert note.author_id == member.id and note.updated_at == NOW


def test_the_coordinator_edits_and_deletes_someone_elses_note(
    client, frozen, council, coordinator, lists, members_note
):
    login(client, coordinator)
    assert "Redigera" in client.get(f"/r/borlange/lagesbild/{members_note.id}").text
    response = client.post(
        f"/r/borlange/lagesbild/{members_note.id}/redigera",
        data={**note_form(lists, text="Rättat av samordnaren"), "version": "1"},
    )
    assert response.status_code == 302
    assert all_notes()[0].text == "Rättat av samordnaren"

    response = client.post(f"/r/borlange/lagesbild/{members_note.id}/ta-bort")
    assert response.status_code == 302
    assert response.location == "/r/borlange/lagesbild/"
    assert all_notes() == []


def test_the_author_deletes_their_own_note(client, frozen, council, member, members_note):
    login(client, member)
    assert client.post(f"/r/borlange/lagesbild/{members_note.id}/ta-bort").status_code == 302
    assert all_notes() == []


def test_another_member_may_read_but_not_edit_or_delete_a_note(
    client, frozen, council, other_member, lists, members_note
):
    login(client, other_member)
    page = client.get(f"/r/borlange/lagesbild/{members_note.id}")
    assert page.status_code == 200
    assert "Redigera" not in page.text and "Ta bort" not in page.text
    url = f"/r/borlange/lagesbild/{members_note.id}"
    assert client.get(url + "/redigera").status_code == 403
    assert client.post(url + "/redigera", data=note_form(lists, text="Ändrat")).status_code == 403
    assert client.post(url + "/ta-bort").status_code == 403
    [note] = all_notes()
    assert note.text == "Klotter på perrongtaket"


def test_bad_input_when_editing_keeps_the_input_and_changes_nothing(
    client, frozen, council, member, lists, members_note
):
    login(client, member)
    response = client.post(
        f"/r/borlange/lagesbild/{members_note.id}/redigera",
        data={
            **note_form(
                lists,
                text="Ny text som inte sparas",
                observed_from="2026-03-10T10:30",
                observed_to="2026-03-10T08:00",
            ),
            "version": str(members_note.version),
        },
    )
    assert response.status_code == 200
    assert "Sluttiden kan inte ligga före starttiden." in response.text
    assert "Ny text som inte sparas" in response.text
    [note] = all_notes()
    assert note.text == "Klotter på perrongtaket" and note.observed_to is None


# --- another council ------------------------------------------------------------------------


def test_a_member_of_another_council_gets_404_for_notes_by_id(
    client, frozen, council, lists, members_note, make_council, make_user
):
    other = make_council(slug="falun")
    stranger = make_user(Role.COORDINATOR, other)
    login(client, stranger)
    for slug in ("borlange", "falun"):
        base = f"/r/{slug}/lagesbild/{members_note.id}"
        assert client.get(base).status_code == 404, slug
        assert client.get(base + "/redigera").status_code == 404, slug
        assert client.post(base + "/redigera", data=note_form(lists)).status_code == 404, slug
        assert client.post(base + "/ta-bort").status_code == 404, slug
    assert client.get("/r/borlange/lagesbild/").status_code == 404
    assert "Klotter på perrongtaket" not in client.get("/r/falun/lagesbild/?start=2020-01-01").text
    assert len(all_notes()) == 1


# --- the EST meeting's situation picture ----------------------------------------------------

SERIES_NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


def picture_rows(page: str) -> list[tuple[str, str, int, int, str]]:
    section = re.search(r'<section id="lagesbild">(.*?)</section>', page, re.S)[1]
    # the counts as shown on screen (the print carries the police's, see the shared view)
    section = re.sub(r'<div class="printonly">.*?</div>', "", section, flags=re.S)
    return [
        (html.unescape(p), html.unescape(c), int(n), int(b), change)
        for p, c, n, b, change in re.findall(
            r"<tr><td>(.*?)</td><td>(.*?)</td><td>(\d+)</td><td>(\d+)</td>\s*"
            r'<td class="[^"]*">(.*?)</td></tr>',
            section,
        )
    ]


@pytest.fixture
def est(council, coordinator, lists, make_series, make_note):
    """A biweekly series (13 Jan, 27 Jan, …) and notes in and around the second span."""
    first, second = make_series(council, now=SERIES_NOW, first=date(2026, 1, 13)).meetings[:2]
    assert first.starts_at == datetime(2026, 1, 13, 8, 0, tzinfo=UTC)
    assert second.starts_at == datetime(2026, 1, 27, 8, 0, tzinfo=UTC)

    def write(day: int, month: int, place, category, text, visibility):
        observed = datetime(2026 if month < 12 else 2025, month, day, 20, 0, tzinfo=UTC)
        make_note(council, coordinator, place, category, text, observed, visibility, commit=False)

    shared, internal = Visibility.SHARED, Visibility.INTERNAL
    # the span of the second meeting: 13 Jan 08:00 – 27 Jan 08:00 UTC
    write(15, 1, lists.resecentrum, lists.klotter, "Klotter på perrongen", shared)
    write(20, 1, lists.resecentrum, lists.klotter, "Mer klotter vid spår 2", shared)
    write(16, 1, lists.centrum, lists.storning, "Stökigt i trapphuset", internal)
    # the span before it: 30 Dec 08:00 – 13 Jan 08:00 UTC
    write(5, 1, lists.resecentrum, lists.klotter, "Klotter i väntsalen", shared)
    write(2, 1, lists.centrum, lists.storning, "Störning vid torget", internal)
    write(10, 1, lists.centrum, lists.storning, "Störning igen vid torget", internal)
    write(8, 1, lists.centrum, lists.klotter, "Klotter vid biblioteket", shared)
    # outside both spans
    write(20, 12, lists.centrum, lists.klotter, "Klotter före jul", shared)
    write(28, 1, lists.resecentrum, lists.storning, "Efter mötet", shared)
    db.session.commit()
    return first, second


def test_meeting_page_counts_notes_since_the_previous_meeting_and_the_change(
    client, frozen, council, member, est
):
    _, second = est
    login(client, member)
    page = client.get(f"/r/borlange/est/moten/{second.id}").text

    assert "Lägesbildsanteckningar" in page
    assert picture_rows(page) == [
        ("Centrum", "Klotter", 0, 1, "-1"),
        ("Centrum", "Störning", 1, 2, "-1"),
        ("Resecentrum", "Klotter", 2, 1, "+1"),
    ]
    section = html.unescape(re.search(r'<section id="lagesbild">(.*?)</section>', page, re.S)[1])
    for text in ("Klotter på perrongen", "Mer klotter vid spår 2", "Stökigt i trapphuset"):
        assert text in section
    assert "Stökigt i trapphuset (Trygghetsvärd, intern)" in section
    assert "Resecentrum · Klotter" in section
    for text in ("Klotter i väntsalen", "Klotter före jul", "Efter mötet"):
        assert text not in section
    assert "Här visas bara anteckningar" not in section


def test_the_first_meeting_compares_its_interval_before_the_meeting(
    client, frozen, council, member, est
):
    first, _ = est
    login(client, member)
    page = client.get(f"/r/borlange/est/moten/{first.id}").text
    # no previous meeting: the span is the two weeks before it (30 Dec – 13 Jan)
    assert picture_rows(page) == [
        ("Centrum", "Klotter", 1, 1, "±0"),
        ("Centrum", "Störning", 2, 0, "+2"),
        ("Resecentrum", "Klotter", 1, 0, "+1"),
    ]


def test_the_police_see_only_shared_notes_and_their_counts_in_the_situation_picture(
    client, frozen, council, police, est
):
    _, second = est
    login(client, police)
    page = client.get(f"/r/borlange/est/moten/{second.id}").text

    assert picture_rows(page) == [
        ("Centrum", "Klotter", 0, 1, "-1"),
        ("Resecentrum", "Klotter", 2, 1, "+1"),
    ]
    section = html.unescape(re.search(r'<section id="lagesbild">(.*?)</section>', page, re.S)[1])
    assert "Klotter på perrongen" in section and "Mer klotter vid spår 2" in section
    assert "trapphuset" not in section and "Störning" not in section
    assert "Här visas bara anteckningar som kommunen delar med polisen." in section


# --- places and categories ------------------------------------------------------------------


def places_of(council) -> dict[str, Place]:
    db.session.expire_all()
    return {
        p.name: p for p in db.session.scalars(db.select(Place).filter_by(council_id=council.id))
    }


def categories_of(council) -> dict[str, NoteCategory]:
    db.session.expire_all()
    return {
        c.name: c
        for c in db.session.scalars(db.select(NoteCategory).filter_by(council_id=council.id))
    }


def test_coordinator_adds_places_with_and_without_coordinates_and_a_category(
    client, council, coordinator, lists
):
    login(client, coordinator)
    page = client.get("/r/borlange/platser/").text
    assert "Resecentrum" in page and "(60.4858, 15.4358)" in page

    with_coordinates = client.post(
        "/r/borlange/platser/",
        data={"place-name": "Kvarnsveden", "place-latitude": "60.5", "place-longitude": "15.4"},
    )
    without = client.post(
        "/r/borlange/platser/",
        data={"place-name": " Tjärna Ängar ", "place-latitude": "", "place-longitude": ""},
    )
    category = client.post("/r/borlange/platser/", data={"category-name": "Nedskräpning"})

    assert [r.status_code for r in (with_coordinates, without, category)] == [302, 302, 302]
    places = places_of(council)
    assert (places["Kvarnsveden"].latitude, places["Kvarnsveden"].longitude) == (60.5, 15.4)
    assert places["Tjärna Ängar"].latitude is None and places["Tjärna Ängar"].active
    assert "Nedskräpning" in categories_of(council)
    page = client.get("/r/borlange/platser/").text
    assert "Listan är uppdaterad." in page and "Kvarnsveden" in page and "Nedskräpning" in page
    form = client.get("/r/borlange/lagesbild/ny").text
    assert "Kvarnsveden" in options(form, "place_id").values()
    assert "Nedskräpning" in options(form, "category_id").values()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"place-name": "Hushagen", "place-latitude": "60.5", "place-longitude": ""},
            "Ange både latitud och longitud, eller ingen av dem.",
        ),
        (
            {"place-name": "Hushagen", "place-latitude": "", "place-longitude": "15.4"},
            "Ange både latitud och longitud, eller ingen av dem.",
        ),
        (
            {"place-name": "Hushagen", "place-latitude": "95", "place-longitude": "15.4"},
            "Latitud anges mellan -90 och 90.",
        ),
        (
            {"place-name": "Hushagen", "place-latitude": "norr", "place-longitude": "15.4"},
            "Latitud",
        ),
        ({"place-name": "", "place-latitude": "", "place-longitude": ""}, "Ange ett namn."),
        ({"place-name": "resecentrum"}, "Det finns redan en plats med det namnet."),
        ({"place-name": "  RESECENTRUM "}, "Det finns redan en plats med det namnet."),
    ],
)
def test_bad_place_input_gets_a_swedish_error_and_adds_nothing(
    client, council, coordinator, lists, data, message
):
    login(client, coordinator)
    response = client.post("/r/borlange/platser/", data=data)
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    if data["place-name"].strip():
        assert f'value="{data["place-name"]}"' in response.text  # the input is kept
    assert set(places_of(council)) == {"Resecentrum", "Centrum"}


@pytest.mark.parametrize(
    ("existing", "typed"),
    [("Ängen", "ängen"), ("Åbyn", "ÅBYN"), ("Östra Ösarvet", "östra ösarvet")],
)
def test_duplicate_names_are_refused_regardless_of_case_including_a_o_umlauts(
    client, council, coordinator, lists, existing, typed, make_place, make_category
):
    make_place(council, existing)
    make_category(council, existing)
    login(client, coordinator)

    place = client.post("/r/borlange/platser/", data={"place-name": typed})
    category = client.post("/r/borlange/platser/", data={"category-name": typed})

    assert place.status_code == 400 and category.status_code == 400
    assert "Det finns redan en plats med det namnet." in place.text
    assert "Det finns redan en kategori med det namnet." in category.text
    assert typed not in places_of(council) and typed not in categories_of(council)


def test_a_place_out_of_use_leaves_the_note_form_but_old_notes_keep_it(
    client, frozen, council, coordinator, lists, make_note
):
    make_note(
        council,
        coordinator,
        lists.centrum,
        lists.klotter,
        "Gammal anteckning om centrum",
        NOW - timedelta(days=1),
    )
    login(client, coordinator)

    response = client.post(f"/r/borlange/platser/plats/{lists.centrum.id}/vaxla")
    assert response.status_code == 302
    assert places_of(council)["Centrum"].active is False
    form = client.get("/r/borlange/lagesbild/ny").text
    assert set(options(form, "place_id").values()) == {"Resecentrum"}
    refused = client.post(
        "/r/borlange/lagesbild/ny", data=note_form(lists, place_id=str(lists.centrum.id))
    )
    assert refused.status_code == 200 and "Inte ett giltigt val" in refused.text
    listing = client.get("/r/borlange/lagesbild/").text
    assert "Gammal anteckning om centrum" in listing
    assert "Centrum" in options(listing, "place").values()  # still a filter for old notes

    client.post(f"/r/borlange/platser/kategori/{lists.klotter.id}/vaxla")
    form = client.get("/r/borlange/lagesbild/ny").text
    assert set(options(form, "category_id").values()) == {"Störning"}

    client.post(f"/r/borlange/platser/plats/{lists.centrum.id}/vaxla")  # back into use
    form = client.get("/r/borlange/lagesbild/ny").text
    assert set(options(form, "place_id").values()) == {"Resecentrum", "Centrum"}


def test_a_place_of_another_council_cannot_be_toggled(
    client, council, coordinator, lists, make_council, make_place
):
    other = make_council()
    foreign = make_place(other, "Falu torg")
    login(client, coordinator)
    assert client.post(f"/r/borlange/platser/plats/{foreign.id}/vaxla").status_code == 404
    assert client.post(f"/r/borlange/platser/gata/{lists.centrum.id}/vaxla").status_code == 404
    db.session.expire_all()
    assert db.session.get(Place, foreign.id).active is True


def test_members_and_police_may_not_manage_places_or_categories(
    client, council, member, police, lists
):
    for user in (member, police):
        login(client, user)
        assert client.get("/r/borlange/platser/").status_code == 403
        assert client.post("/r/borlange/platser/", data={"place-name": "Smyg"}).status_code == 403
        assert (
            client.post("/r/borlange/platser/", data={"category-name": "Smyg"}).status_code == 403
        )
        assert client.post(f"/r/borlange/platser/plats/{lists.centrum.id}/vaxla").status_code == 403
        client.post("/logga-ut")
    assert set(places_of(council)) == {"Resecentrum", "Centrum"}
    assert set(categories_of(council)) == {"Klotter", "Störning"}
    assert all(p.active for p in places_of(council).values())


def test_a_new_council_starts_with_the_default_categories(app):
    from brott.services.councils import create_council

    council = create_council("ludvika", "Ludvika BRÅ", "Ludvika kommun")
    db.session.commit()
    assert set(categories_of(council)) == set(place_service.DEFAULT_CATEGORIES)
