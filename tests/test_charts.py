"""Charts: the SVG's points stand where the numbers say, and the table holds the same ones."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale

from brott.extensions import db
from brott.models import Role
from brott.models.indicators import Indicator, IndicatorValue
from brott.services import charts

from .conftest import logged_in

NOW = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"
VALUES = [(date(2024, 12, 31), 3.0), (date(2025, 3, 31), 7.5), (date(2025, 6, 1), 12.25)]


def _back_to_numbers(svg: ET.Element) -> list[tuple[date, float]]:
    """Map each point's coordinates back through the scale the SVG declares."""
    x0, y0, x1, y1 = map(float, svg.get("data-plot", "").split())
    x_min = date.fromisoformat(svg.get("data-x-min", ""))
    x_max = date.fromisoformat(svg.get("data-x-max", ""))
    y_min, y_max = float(svg.get("data-y-min", "")), float(svg.get("data-y-max", ""))
    found = []
    for circle in svg.iter(f"{SVG}circle"):
        cx, cy = float(circle.get("cx", "")), float(circle.get("cy", ""))
        days = round((cx - x0) / (x1 - x0) * (x_max - x_min).days)
        value = y_min + (y1 - cy) / (y1 - y0) * (y_max - y_min)
        found.append((x_min + timedelta(days=days), round(value, 2)))
    return found


def test_points_map_back_to_the_values_and_the_lines_to_target_and_baseline(app):
    with app.test_request_context():
        chart = charts.indicator_chart("c1", "Deltagare", "st", VALUES, baseline=2, target=12)
    svg = ET.fromstring(str(chart.svg))
    assert svg.get("role") == "img" and svg.find(f"{SVG}title") is not None
    assert _back_to_numbers(svg) == VALUES
    polyline = svg.find(f"{SVG}polyline")
    assert polyline is not None
    circles = [(c.get("cx"), c.get("cy")) for c in svg.iter(f"{SVG}circle")]
    assert polyline.get("points", "").split() == [f"{x},{y}" for x, y in circles]
    y0, y1 = (float(v) for v in svg.get("data-plot", "").split()[1::2])
    y_min, y_max = float(svg.get("data-y-min", "")), float(svg.get("data-y-max", ""))

    def value_at(line_class: str) -> float:
        line = next(el for el in svg.iter(f"{SVG}line") if el.get("class") == line_class)
        return round(y_min + (y1 - float(line.get("y1", ""))) / (y1 - y0) * (y_max - y_min), 2)

    assert value_at("target") == 12 and value_at("baseline") == 2
    target = next(el for el in svg.iter(f"{SVG}line") if el.get("class") == "target")
    assert target.get("stroke-dasharray")


def test_numbers_are_written_the_swedish_way_in_swedish(app):
    with force_locale("sv"):
        chart = charts.indicator_chart("c", "Andel", "%", [(date(2025, 1, 1), 1250.5)], 0, 1500)
        assert [(r.value, r.target) for r in chart.rows] == [("1\u00a0250,5", "1\u00a0500")]
    with force_locale("en"):
        chart = charts.indicator_chart("c", "Share", "%", [(date(2025, 1, 1), 1250.5)], 0, 1500)
        assert chart.rows[0].value == "1,250.5"


def test_a_chart_without_values_says_so(app):
    with app.test_request_context():
        chart = charts.indicator_chart("c", "Veckor", "", [], 0, 6)
    svg = ET.fromstring(str(chart.svg))
    assert list(svg.iter(f"{SVG}circle")) == [] and chart.rows == []


@pytest.fixture
def indicator(make_measure, make_user, council):
    owner = make_user(Role.MEMBER, council)
    measure = make_measure(council, owners=[owner], title="Sommarskola")
    indicator = Indicator(
        council_id=council.id, measure_id=measure.id, name="Veckor", unit="veckor", target=6
    )
    indicator.values = [
        IndicatorValue(council_id=council.id, on_date=day, value=value) for day, value in VALUES
    ]
    db.session.add(indicator)
    db.session.commit()
    return indicator


def test_the_measure_page_shows_the_chart_and_a_table_with_the_same_numbers(
    app, frozen, indicator, member
):
    page = logged_in(app, member).get(f"/r/borlange/insatser/{indicator.measure_id}").text
    found = re.search(r"<svg.*?</svg>", page, re.S)
    assert found is not None
    svg = ET.fromstring(found.group(0))
    assert _back_to_numbers(svg) == VALUES
    table = page.split('class="indicator-values"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
    assert rows == [
        ("2024-12-31", "3", "6"),
        ("2025-03-31", "7,5", "6"),
        ("2025-06-01", "12,25", "6"),
    ]
