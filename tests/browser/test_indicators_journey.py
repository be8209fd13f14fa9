"""Indicators in a real Chromium: enter a value the Swedish way and see it in the chart."""

import re
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from brott.extensions import db
from brott.models import Measure, User
from brott.models.indicators import IndicatorPeriod
from brott.services import indicators
from brott.services.demo import DEMO_PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.browser
SVG = "{http://www.w3.org/2000/svg}"


def test_an_owner_enters_a_value_and_the_chart_and_its_table_show_it(page, live_server, live_app):
    with live_app.app_context():
        measure = db.session.scalars(db.select(Measure).where(Measure.title == "Sommarskola")).one()
        indicator = indicators.create_indicator(
            measure,
            indicators.IndicatorData(
                name="Elever som nått målen",
                unit="elever",
                baseline=10,
                target=40,
                period=IndicatorPeriod.YEAR,
            ),
            measure.created_at,
        )
        db.session.commit()
        indicator_id, measure_id, slug = indicator.id, measure.id, measure.council.slug
        coordinator = db.session.scalars(
            db.select(User).where(User.email == "samordnare@exempel.se")
        ).one()
        assert coordinator

    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/{slug}/insatser/{measure_id}")
    page.get_by_role("link", name="Elever som nått målen").click()
    expect(page.get_by_text("Inga värden ännu.").first).to_be_visible()

    page.get_by_label("Datum", exact=True).fill("2019-08-16")
    page.get_by_role("textbox", name="Värde").fill("27,5")
    page.get_by_label(re.compile("^Kommentar")).fill("Efter sommarens sex veckor")
    page.get_by_role("button", name="Spara värdet").click()
    expect(page.get_by_text("Värdet är sparat.")).to_be_visible()

    table = page.locator("table.indicator-values")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_contain_text("2019-08-16")
    expect(table.locator("tbody tr").first).to_contain_text("27,5")
    svg = ET.fromstring(page.locator("svg.chart").evaluate("el => el.outerHTML"))
    circles = list(svg.iter(f"{SVG}circle"))
    assert len(circles) == 1
    y0, y1 = (float(v) for v in svg.get("data-plot", "").split()[1::2])
    y_min, y_max = float(svg.get("data-y-min", "")), float(svg.get("data-y-max", ""))
    cy = float(circles[0].get("cy", ""))
    assert round(y_min + (y1 - cy) / (y1 - y0) * (y_max - y_min), 2) == 27.5
    assert re.search("27,5", circles[0].findtext(f"{SVG}title") or "")

    # the same chart on the measure's page
    page.goto(f"{live_server.url}/r/{slug}/insatser/{measure_id}")
    expect(
        page.locator(f"#indikatorer svg[aria-labelledby='indicator-{indicator_id}-title']")
    ).to_be_visible()
