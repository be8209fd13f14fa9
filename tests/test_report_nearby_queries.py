"""The report form's nearby step stays cheap as a council's reports pile up: the same number
of statements for 10 reports as for 300, and the search reads a latitude band on the index
(council, category, open, latitude) instead of every report."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from brott.extensions import db
from brott.models.reports import (
    ReportCategory,
    ReportSettings,
    ReportSource,
    ReportStatus,
    ResidentReport,
)

from .test_query_counts import counted_statements

NOW = datetime(2024, 5, 14, 8, 0, tzinfo=UTC)
TORGET = (60.4858, 15.4371)


@pytest.fixture
def lamp(council, frozen) -> ReportCategory:
    category = ReportCategory(
        council_id=council.id, name="Trasig gatubelysning", service_code="street-lighting"
    )
    db.session.add_all(
        [
            category,
            ReportSettings(
                council_id=council.id,
                min_latitude=60.35,
                max_latitude=60.62,
                min_longitude=14.95,
                max_longitude=15.75,
                nearby_metres=250,
                follow_up_weeks=4,
                email_retention_days=90,
                open311_key_required=True,
                contact_text="",
            ),
        ]
    )
    db.session.commit()
    return category


def _add_reports(category: ReportCategory, n: int) -> None:
    """n open reports of the category: every third within 150 m of the square, the rest
    spread over the municipality. Inserted as rows, without the service's work per report."""
    rows = []
    for i in range(n):
        near = i % 3 == 0
        step = (i % 50) * (0.00002 if near else 0.004)
        rows.append(
            {
                "council_id": category.council_id,
                "token": secrets.token_urlsafe(24),
                "category_id": category.id,
                "status": ReportStatus.NEW,
                "is_open": True,
                "referral": "",
                "address": f"Adress {i}",
                "latitude": TORGET[0] + step,
                "longitude": TORGET[1] - step,
                "description": "Lampan lyser inte.",
                "locale": "sv",
                "source": ReportSource.WEB,
                "supporters": i % 4,
                "created_at": NOW - timedelta(hours=i),
                "updated_at": NOW - timedelta(hours=i),
                "version": 1,
            }
        )
    db.session.execute(insert(ResidentReport), rows)
    db.session.commit()


def _nearby_step(client, category: ReportCategory) -> list[str]:
    data = {
        "category_id": str(category.id),
        "address": "Stora Torget",
        "latitude": str(TORGET[0]),
        "longitude": str(TORGET[1]),
        "description": "Tre lampor är släckta.",
    }
    with counted_statements() as statements:
        response = client.post("/r/borlange/rapportera", data=data)
    assert response.status_code == 200 and "jag-ocksa" in response.text  # the nearby step
    return list(statements)


def test_the_nearby_step_runs_as_many_statements_for_300_reports_as_for_10(client, lamp):
    _add_reports(lamp, 10)
    at_10 = _nearby_step(client, lamp)
    _add_reports(lamp, 290)
    at_300 = _nearby_step(client, lamp)
    assert len(at_300) == len(at_10)


def test_the_nearby_search_reads_a_latitude_band(client, lamp):
    _add_reports(lamp, 10)
    searches = [
        statement
        for statement in _nearby_step(client, lamp)
        if "FROM resident_report" in statement and "is_open" in statement
    ]
    assert len(searches) == 1
    assert "resident_report.latitude BETWEEN" in searches[0]
    assert "resident_report.category_id =" in searches[0]
    assert "LIMIT" in searches[0]
