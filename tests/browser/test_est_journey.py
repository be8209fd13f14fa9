"""EST in a real Chromium: set up the series, decide an action, close it from the e-mail link."""

import re
from datetime import UTC, datetime, time, timedelta
from email import policy as email_policy
from email.parser import BytesParser

import pytest
from playwright.sync_api import expect

from brott import jobs
from brott.extensions import db
from brott.mail import FileMailer
from brott.models import Action, ActionStatus, utcnow
from brott.services import digest
from brott.services.demo import DEMO_PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_coordinator_sets_up_est_records_a_decision_and_the_owner_closes_it_by_email_link(
    page, live_server, live_app, tmp_path
):
    first = (utcnow() + timedelta(days=9)).date()
    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)
    page.get_by_role("link", name="EST-möten").click()
    page.get_by_role("link", name="Ny mötesserie").click()
    page.get_by_label("Veckodag").select_option(str(first.weekday()))
    page.get_by_label("Klockslag").fill("09:00")
    page.get_by_label("Första datum").fill(first.isoformat())
    page.get_by_label("Plats").fill("Stadshuset, sammanträdesrum 2")
    page.get_by_label("Sara Holm").check()  # invited
    page.get_by_role("button", name="Skapa mötesserie").click()

    expect(page.get_by_text("Mötesserien är skapad")).to_be_visible()
    rows = page.locator("table.meetings tbody tr")
    expect(rows.nth(6)).to_be_visible()  # every planned meeting is listed, not only six
    expect(rows.first).to_contain_text("09:00–10:30")

    rows.first.get_by_role("link").click()
    expect(
        page.get_by_role("heading", name="Underlag: vad som hänt sedan förra mötet")
    ).to_be_visible()
    page.get_by_label("Beslut / åtgärd").fill("Extra belysning vid gångtunneln")
    page.get_by_label("Var", exact=True).select_option(label="Resecentrum")  # a demo place
    page.get_by_label("Ansvarig").select_option(label="Sara Holm")
    page.get_by_label("Klart senast").fill((first + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.locator("#beslut")).to_contain_text("Extra belysning vid gångtunneln")
    expect(page.locator("#beslut")).to_contain_text("Sara Holm")

    # the owner's daily digest the day before it falls due carries the one-click links
    with live_app.app_context():
        action = db.session.scalars(
            db.select(Action).where(Action.title == "Extra belysning vid gångtunneln")
        ).one()
        action_id = action.id
        assert action.place.name == "Resecentrum"
        morning = datetime.combine(action.due_date - timedelta(days=1), time(6), tzinfo=UTC)
        digest.plan_daily_digest(morning)
        db.session.commit()
        jobs.dispatch_due(morning, mailer=FileMailer(tmp_path))
    [mail] = [
        BytesParser(policy=email_policy.default).parsebytes(p.read_bytes())
        for p in tmp_path.glob("*.eml")
        if b"ledamot@exempel.se" in p.read_bytes() and b"digest" in p.read_bytes()
    ]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    # the demo's own actions are in the digest too: take the link under this action
    ours = body.split("Extra belysning vid gångtunneln", 1)[1]
    link = re.search(r"Markera som klar: (\S+)", ours).group(1)
    path = link.split("127.0.0.1:5000", 1)[1]

    owner = page.context.browser.new_context(locale="sv-SE").new_page()  # not logged in
    owner.goto(live_server.url + path)
    expect(owner.get_by_role("heading", name="Markera som klar")).to_be_visible()
    with live_app.app_context():
        assert db.session.get(Action, action_id).status is ActionStatus.OPEN  # GET changed nothing
    owner.get_by_role("button", name="Bekräfta").click()
    expect(owner.get_by_role("heading", name="Tack!")).to_be_visible()
    with live_app.app_context():
        assert db.session.get(Action, action_id).status is ActionStatus.DONE
    owner.context.close()
