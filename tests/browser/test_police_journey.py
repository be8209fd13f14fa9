"""The police liaison in a real Chromium: the EST situation picture shows the notes the
municipality shares and none of its internal ones; the liaison adds a shared note."""

from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from brott import clock
from brott.extensions import db
from brott.models import AuditEntry, MeetingSeries, Role, SituationNote, Visibility, utcnow
from brott.services import meetings as meeting_service
from brott.services.councils import find_council
from brott.services.demo import DEMO_PASSWORD, DEMO_SLUG

from .conftest import log_in

pytestmark = pytest.mark.browser

NEW_NOTE = "Polisen ser en ny samlingsplats vid cykelgaraget, vardagar kring 22–24."


def ensure_next_meeting(live_app) -> None:
    """An EST series with a meeting a few days ahead, unless the council already has one."""
    with live_app.app_context():
        council = find_council(DEMO_SLUG)
        has_series = db.session.scalar(
            db.select(MeetingSeries.id).filter_by(council_id=council.id).limit(1)
        )
        if has_series is None:
            first = clock.today() + timedelta(days=3)
            meeting_service.create_series(
                council.id,
                meeting_service.SeriesData(
                    weekday=first.weekday(), local_time=time(9), first_date=first
                ),
                utcnow(),
            )
            db.session.commit()


def test_police_liaison_sees_only_shared_notes_at_est_and_adds_a_shared_note(
    page, live_server, live_app
):
    ensure_next_meeting(live_app)
    log_in(page, live_server, "polis@exempel.se", DEMO_PASSWORD)

    page.get_by_role("link", name="EST-möten").click()
    page.locator("table.meetings tbody tr").first.get_by_role("link").click()
    picture = page.locator("#lagesbild")
    expect(picture.get_by_role("heading", name="Lägesbildsanteckningar")).to_be_visible()
    expect(picture).to_contain_text("Här visas bara anteckningar som kommunen delar med polisen.")
    expect(picture).to_contain_text("gångtunneln")  # shared by the municipality
    expect(picture).to_contain_text("busshållplatserna")
    expect(picture).not_to_contain_text("Cykelställen vid biblioteket")  # internal
    expect(picture).not_to_contain_text("trapphus")  # internal
    notes = picture.locator(
        "div.picture-section",
        has=page.get_by_role("heading", name="Lägesbildsanteckningar"),
    )
    # the internal note's place is not named among the notes (residents' public reports
    # from there may still be counted in their own section)
    expect(notes).not_to_contain_text("Tjärna Ängar")
    expect(notes).to_contain_text("gångtunneln")
    counts = notes.locator("table.counts")
    expect(counts).to_contain_text("Centrum")
    expect(counts).to_contain_text("Klotter")
    expect(counts).not_to_contain_text("Skadegörelse")  # the internal note's category
    meeting_url = page.url

    page.get_by_role("link", name="Lägesbild").click()
    expect(page.get_by_role("heading", name="Lägesbildsanteckningar")).to_be_visible()
    expect(page.locator("table.notes")).to_contain_text("gångtunneln")
    expect(page.locator("table.notes")).not_to_contain_text("Cykelställen vid biblioteket")
    page.get_by_role("link", name="Ny anteckning").click()

    visibility = page.get_by_label("Synlighet")
    expect(visibility.locator("option")).to_have_text(["Delad med polisen"])
    an_hour_ago = clock.now().astimezone(clock.STOCKHOLM) - timedelta(hours=1)
    page.get_by_label("Observerat från").fill(an_hour_ago.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Plats", exact=True).select_option(label="Resecentrum")
    page.get_by_label("Kategori").select_option(label="Ungdomsgrupperingar")
    page.get_by_label("Källa").select_option(label="Polis")
    page.get_by_label("Vad observerades?").fill(NEW_NOTE)
    page.get_by_role("button", name="Spara anteckning").click()

    expect(page.get_by_text("Anteckningen är sparad.")).to_be_visible()
    expect(page.get_by_role("heading", name="Resecentrum · Ungdomsgrupperingar")).to_be_visible()
    expect(page.get_by_text(NEW_NOTE)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Delad med polisen")
    expect(facts).to_contain_text("Johan Berg")

    with live_app.app_context():
        note = db.session.scalars(db.select(SituationNote).filter_by(text=NEW_NOTE)).one()
        assert note.visibility is Visibility.SHARED
        assert note.author.email == "polis@exempel.se"
        assert note.author.memberships[0].role is Role.POLICE
        views = db.session.scalars(
            db.select(AuditEntry).filter_by(action="view", object_id=note.id)
        ).all()
        assert len(views) == 1 and views[0].actor_label == "polis@exempel.se"

    # the new note joins the situation picture of the coming meeting
    page.goto(meeting_url)
    expect(page.locator("#lagesbild")).to_contain_text(NEW_NOTE)
