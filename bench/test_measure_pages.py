"""Benchmarks of the two busiest pages with a council of 200 measures (`make bench`)."""

import pytest

from brott import create_app
from brott.extensions import db
from brott.models import Council, Measure, MeasureStatus, Membership, Role, User
from brott.models.base import utcnow


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.sqlite'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        council = Council(slug="bench", name="Bench", municipality="K")
        user = User(email="b@exempel.se", name="B")
        user.set_password("bench-password")
        db.session.add_all(
            [council, user, Membership(user=user, council=council, role=Role.MEMBER)]
        )
        for i in range(200):
            db.session.add(
                Measure(
                    council=council,
                    title=f"Insats {i}",
                    number=i,
                    status=MeasureStatus.ONGOING,
                    progress=i % 100,
                    owners=[user],
                    updated_at=utcnow(),
                )
            )
        db.session.commit()
    client = app.test_client()
    client.post(
        "/logga-in",
        data={"email": "b@exempel.se", "password": "bench-password"},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return client


def test_measure_list_200(benchmark, client):
    response = benchmark(client.get, "/r/bench/")
    assert response.status_code == 200


def test_measure_page(benchmark, client):
    response = benchmark(client.get, "/r/bench/insatser/1")
    assert response.status_code == 200
