"""One factory per model, as pytest fixtures that return a callable (Indico's `create_event`
style). Each builds through the same service a user's action goes through where there is
one, commits, and returns the object; every argument has a sensible default, so a test names
only what it is about.

Registered for every test by `pytest_plugins` in conftest.py.
"""

from datetime import date, datetime, time, timedelta
from itertools import count

import pytest
from werkzeug.security import generate_password_hash

from brott.extensions import db
from brott.models import (
    Action,
    Council,
    Measure,
    MeasureStatus,
    Meeting,
    MeetingSeries,
    Membership,
    NoteCategory,
    NoteSource,
    PartnerOrganisation,
    Place,
    Role,
    SituationNote,
    User,
    Visibility,
    utcnow,
)
from brott.services import actions as action_service
from brott.services import api_tokens
from brott.services import meetings as meeting_service
from brott.services import places as place_service

from .conftest import PASSWORD

_sequence = count(1)
_PASSWORD_HASH: str | None = None


# scrypt with a work factor of 2^10 instead of the app's 2^15: the hash names its own
# parameters, so every login of a test user runs the app's real check (werkzeug's
# check_password_hash) in 5 ms instead of 165 ms. Stored passwords keep the full cost
# (tests/test_auth.py checks User.set_password); only this shared test hash is cheap.
TEST_HASH_METHOD = "scrypt:1024:8:1"


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = generate_password_hash(PASSWORD, method=TEST_HASH_METHOD)
    return _PASSWORD_HASH


@pytest.fixture
def make_council(app):
    def make(slug: str | None = None, name: str | None = None) -> Council:
        n = next(_sequence)
        council = Council(
            slug=slug or f"rad-{n}", name=name or f"Brottsförebyggande rådet {n}", municipality="K"
        )
        db.session.add(council)
        db.session.commit()
        return council

    return make


@pytest.fixture
def make_user(app, make_council):
    def make(
        role: Role = Role.MEMBER,
        council: Council | None = None,
        name: str | None = None,
        email: str | None = None,
        active: bool = True,
    ) -> User:
        n = next(_sequence)
        user = User(
            email=email or f"person{n}@exempel.se",
            name=name or f"Person {n}",
            password_hash=_password_hash(),
            active=active,
        )
        council = council or make_council()
        db.session.add_all([user, Membership(user=user, council=council, role=role)])
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_partner(app):
    def make(
        council: Council, name: str | None = None, kind: str = "Myndighet"
    ) -> PartnerOrganisation:
        partner = PartnerOrganisation(
            council=council, name=name or f"Partner {next(_sequence)}", kind=kind
        )
        db.session.add(partner)
        db.session.commit()
        return partner

    return make


@pytest.fixture
def make_measure(app):
    def make(
        council: Council,
        owners: list[User] = (),
        partners: list[PartnerOrganisation] = (),
        commit: bool = True,
        **fields,
    ) -> Measure:
        n = next(_sequence)
        values = {
            "title": f"Insats {n}",
            "number": n,
            "description": "Beskrivning",
            "category": "Samverkan",
            "status": MeasureStatus.ONGOING,
            "progress": 10,
            "updated_at": utcnow(),
        }
        values.update(fields)
        measure = Measure(council=council, owners=list(owners), partners=list(partners), **values)
        db.session.add(measure)
        if commit:
            db.session.commit()
        return measure

    return make


@pytest.fixture
def make_series(app):
    def make(
        council: Council,
        now: datetime | None = None,
        first: date | None = None,
        at: time = time(9, 0),
        invitees: list[User] = (),
        **fields,
    ) -> MeetingSeries:
        """A series set up at `now` (default: the real now), first meeting on `first`
        (default: a week later), on `first`'s weekday; its meetings and reminders are
        planned by the service as for a coordinator."""
        now = now or utcnow()
        first = first or (now + timedelta(days=7)).date()
        data = meeting_service.SeriesData(
            weekday=first.weekday(),
            local_time=at,
            first_date=first,
            invitee_ids=[u.id for u in invitees],
            **fields,
        )
        series = meeting_service.create_series(council.id, data, now)
        db.session.commit()
        return series

    return make


@pytest.fixture
def make_meeting(make_series):
    def make(council: Council, **series_fields) -> Meeting:
        """The first meeting of a new series (see `make_series` for the arguments)."""
        return make_series(council, **series_fields).meetings[0]

    return make


@pytest.fixture
def make_place(app):
    def make(council: Council, name: str | None = None, **fields) -> Place:
        data = place_service.PlaceData(name or f"Plats {next(_sequence)}", **fields)
        place = place_service.add_place(council.id, data)
        db.session.commit()
        return place

    return make


@pytest.fixture
def make_category(app):
    def make(council: Council, name: str | None = None) -> NoteCategory:
        category = place_service.add_category(council.id, name or f"Kategori {next(_sequence)}")
        db.session.commit()
        return category

    return make


@pytest.fixture
def make_note(app, make_place, make_category):
    def make(
        council: Council,
        author: User | None = None,
        place: Place | None = None,
        category: NoteCategory | None = None,
        text: str | None = None,
        observed_from: datetime | None = None,
        visibility: Visibility = Visibility.SHARED,
        source: NoteSource = NoteSource.SAFETY_HOST,
        created_at: datetime | None = None,
        commit: bool = True,
        **fields,
    ) -> SituationNote:
        """A note as stored; written directly, so a test may give it any time, also past the
        rules a person writing one meets (those are tested through the form). Unless told
        otherwise it is written when it was observed, and observed when written (or now)."""
        observed_from = observed_from or created_at or utcnow()
        note = SituationNote(
            council_id=council.id,
            observed_from=observed_from,
            place_id=(place or make_place(council)).id,
            category_id=(category or make_category(council)).id,
            source=source,
            text=text or f"Mönster {next(_sequence)}",
            visibility=visibility,
            author_id=author.id if author else None,
            created_at=created_at or observed_from,
            updated_at=created_at or observed_from,
            **fields,
        )
        db.session.add(note)
        if commit:
            db.session.commit()
        return note

    return make


@pytest.fixture
def make_decision(app):
    def make(
        meeting: Meeting,
        author: User,
        owner: User | None = None,
        title: str | None = None,
        due: date | None = None,
        place: Place | None = None,
        now: datetime | None = None,
        commit: bool = True,
    ) -> Action:
        """A decision of `meeting`, recorded through the service; due on the meeting's day
        unless told otherwise, owned by `author` unless told otherwise."""
        data = action_service.ActionData(
            title=title or f"Åtgärd {next(_sequence)}",
            owner_id=(owner or author).id,
            due_date=due or meeting.occurrence_date,
            place_id=place.id if place else None,
        )
        action = action_service.record_decision(meeting, author, data, now or utcnow())
        if commit:
            db.session.commit()
        return action

    return make


@pytest.fixture
def make_api_token(app):
    def make(user: User, name: str = "Skript") -> str:
        """A personal API token of `user`, made through the service: the token itself."""
        _token, raw = api_tokens.create_token(user, name, utcnow())
        db.session.commit()
        return raw

    return make
