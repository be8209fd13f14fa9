"""No silent overwrite, through the real HTTP stack: ten people save the same form at once.

The app runs in two server processes of its own (edit_server.py, Werkzeug's threaded
server), both on one fresh PostgreSQL database (and again both on one SQLite file). Ten real
clients, each logged in through the login form with a cookie jar, load the same version of
an edit form; a barrier releases their saves together. Exactly one save may be accepted;
the other nine are refused with 409 and get their own text back in the page, so nothing
anyone wrote is lost.

Numbers and unique names hold under the same pressure: twenty measures created at once get
twenty distinct numbers, and of ten places created at once with one name, one is created
and nine get a form message — never a server error.
"""

import html
import http.cookiejar
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from brott import create_app
from brott.extensions import db
from brott.models import (
    Action,
    Council,
    Measure,
    MeasureStatus,
    MeasureUpdate,
    Meeting,
    Membership,
    NoteSource,
    PartnerOrganisation,
    Place,
    Role,
    SituationNote,
    User,
    Visibility,
)
from brott.services import actions as action_service
from brott.services import meetings as meeting_service
from brott.services import places as place_service

from .conftest import PASSWORD, fresh_postgres_database, hidden_value, test_config
from .security_figures import record_figure

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parent.parent
SLUG = "samtidigt"
SERVERS = 2
EDITORS = 10  # concurrent saves of one form, one client each
CREATORS = 20  # concurrent measure creations, two per client
TIMEOUT = 60  # seconds for a server to start, or for one request
STOCKHOLM_FORMAT = "%Y-%m-%dT%H:%M"


# --- the servers and their clients ---------------------------------------------------------


class Server:
    """One edit_server.py process; it stops when its stdin is closed."""

    def __init__(self, database_url: str, stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.edit_server", database_url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.port = self._read_port()

    def _read_port(self) -> int:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline()))
        reader.start()
        reader.join(TIMEOUT)
        line = found[0].strip() if found else ""
        if not line.isdigit():
            self.close()
            raise AssertionError(f"the server did not start:\n{self.errors()}")
        return int(line)

    def errors(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text()

    def stop(self) -> None:
        """Ask the server to stop: it ends when its stdin is closed."""
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()

    def close(self) -> None:
        """Stop the server; kill it if it does not end; close every pipe."""
        self.stop()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process.stdout.close()
        self._stderr.close()


@dataclass
class Answer:
    status: int
    text: str
    location: str = ""


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer we want to see


class Browser:
    """A client with its own cookie jar, talking to one server; redirects are not followed."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepRedirects()
        )

    def get(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict | list[tuple[str, str]]) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self._send(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return Answer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:  # 3xx (kept), 4xx and 5xx
            with error:
                text = error.read().decode(errors="replace")
                return Answer(error.code, text, error.headers.get("Location", ""))

    def log_in(self, email: str) -> None:
        answer = self.post("/logga-in", {"email": email, "password": PASSWORD})
        assert answer.status == 302, f"login failed ({answer.status})"


# --- the shared world ----------------------------------------------------------------------


@dataclass
class World:
    measure_id: int
    place_id: int
    category_id: int
    meeting_id: int
    note_id: int
    action_id: int
    partner_id: int
    owner_id: int
    emails: list[str]


@dataclass
class Site:
    database_url: str
    world: World
    browsers: list[Browser]
    servers: list[Server] = field(default_factory=list)

    def query(self, read: Callable[[], object]) -> object:
        """Read the database as it is now, outside every server."""
        app = create_app(test_config(self.database_url))
        with app.app_context():
            try:
                return read()
            finally:
                db.session.remove()
                db.engine.dispose()


def seed(database_url: str) -> World:
    """One council, ten coordinators and one of each thing that has an edit form."""
    app = create_app(test_config(database_url))
    now = datetime.now(UTC)
    with app.app_context():
        db.create_all()
        council = Council(slug=SLUG, name="Brottsförebyggande rådet", municipality="K")
        probe = User(email="x", name="x")
        probe.set_password(PASSWORD)
        people = [
            User(
                email=f"samordnare{n:02d}@exempel.se",
                name=f"Samordnare {n:02d}",
                password_hash=probe.password_hash,
            )
            for n in range(EDITORS)
        ]
        db.session.add(council)
        db.session.add_all(people)
        db.session.add_all(
            Membership(user=u, council=council, role=Role.COORDINATOR) for u in people
        )
        db.session.flush()
        owner = people[0]
        partner = PartnerOrganisation(
            council=council, name="Bostadsbolaget", kind="Fastighetsbolag"
        )
        place = place_service.add_place(council.id, place_service.PlaceData("Resecentrum"))
        category = place_service.add_category(council.id, "Störning")
        measure = Measure(
            council=council,
            number=1,
            title="Trygghetsvandringar",
            category="Samverkan",
            status=MeasureStatus.ONGOING,
            progress=10,
            owners=[owner],
            updated_at=now,
        )
        db.session.add_all([partner, measure])
        first = (now + timedelta(days=7)).date()
        series = meeting_service.create_series(
            council.id,
            meeting_service.SeriesData(
                weekday=first.weekday(), local_time=time(9), first_date=first
            ),
            now,
        )
        meeting = series.meetings[0]
        action = action_service.record_decision(
            meeting,
            owner,
            action_service.ActionData(
                title="Byt trasig belysning", owner_id=owner.id, due_date=meeting.occurrence_date
            ),
            now,
        )
        note = SituationNote(
            council_id=council.id,
            observed_from=(now - timedelta(days=1)).replace(second=0, microsecond=0),
            place_id=place.id,
            category_id=category.id,
            source=NoteSource.SAFETY_HOST,
            text="Grupp samlas vid busshållplatsen på kvällarna.",
            visibility=Visibility.SHARED,
            author_id=owner.id,
            created_at=now,
            updated_at=now,
        )
        db.session.add(note)
        db.session.commit()
        world = World(
            measure_id=measure.id,
            place_id=place.id,
            category_id=category.id,
            meeting_id=meeting.id,
            note_id=note.id,
            action_id=action.id,
            partner_id=partner.id,
            owner_id=owner.id,
            emails=[u.email for u in people],
        )
        db.session.remove()
        db.engine.dispose()
    return world


@contextmanager
def one_database(backend: str, directory: Path) -> Iterator[str]:
    """A new database both servers share: a fresh PostgreSQL database, or one SQLite file."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'edits.sqlite'}"
    else:
        with fresh_postgres_database("brott_edits") as url:
            yield url


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def site(request, tmp_path_factory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("edit_servers")
    with one_database(request.param, directory) as url:
        world = seed(url)
        servers: list[Server] = []
        try:
            for n in range(SERVERS):
                servers.append(Server(url, directory / f"server{n}.err"))
            # the clients alternate between the servers, so every race spans both processes
            browsers = [Browser(servers[n % SERVERS].port) for n in range(EDITORS)]
            with ThreadPoolExecutor(EDITORS) as pool:
                list(pool.map(Browser.log_in, browsers, world.emails))
            yield Site(url, world, browsers, servers)
            for server in servers:
                assert "Traceback" not in server.errors(), server.errors()
        finally:
            for server in servers:
                server.stop()  # all at once: each takes a moment to wind down
            for server in servers:
                server.close()


# --- one race ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    accepted: int
    refused: int
    lost: int
    other: list[int]

    @property
    def figure(self) -> str:
        return f"{self.accepted}/{self.refused}/{self.lost}"


def together(count: int, act: Callable[[int], Answer]) -> list[Answer]:
    """Run act(0) … act(count - 1) in threads released at the same moment."""
    barrier = threading.Barrier(count, timeout=TIMEOUT)

    def released(i: int) -> Answer:
        barrier.wait()
        return act(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(released, range(count)))


def race(
    site: Site,
    page: str,
    version_of: Callable[[str], str],
    post: str,
    form: Callable[[int], dict],
    texts: Callable[[int], list[str]],
    stored: Callable[[], list[str]],
) -> Outcome:
    """Ten clients load `page`, then save `form(i)` to `post` at once.

    `texts(i)` is what client i typed and must find again: in the database if its save was
    accepted (302), in the answer if it was refused (409). `stored()` reads the saved texts.
    """
    browsers = site.browsers[:EDITORS]
    versions = [version_of(b.get(page).text) for b in browsers]
    assert len(set(versions)) == 1, f"the clients did not load one version: {versions}"
    answers = together(
        EDITORS, lambda i: browsers[i].post(post, {**form(i), "version": versions[i]})
    )
    saved = site.query(stored)
    accepted = [i for i, a in enumerate(answers) if a.status == 302]
    refused = [i for i, a in enumerate(answers) if a.status == 409]
    kept = {i for i in accepted if texts(i) == saved}
    kept |= {
        i for i in refused if all(html.escape(t, quote=False) in answers[i].text for t in texts(i))
    }
    other = sorted(a.status for a in answers if a.status not in (302, 409))
    return Outcome(len(accepted), len(refused), EDITORS - len(kept), other)


def _check(name: str, outcome: Outcome) -> None:
    record_figure("concurrent edits", f"{name}: accepted/refused/lost", outcome.figure)
    assert outcome.other == [], f"{name}: other answers {outcome.other}"
    assert outcome.figure == "1/9/0", f"{name}: accepted/refused/lost = {outcome.figure}"


def action_version(action_id: int) -> Callable[[str], str]:
    """The version in the status form of one action on a page listing several."""

    def find(page: str) -> str:
        form = re.search(rf'action="[^"]*/atgarder/{action_id}".*?</form>', page, re.S)
        assert form, "no status form for the action"
        match = re.search(r'name="version" value="(\d+)"', form.group(0))
        assert match, "the status form carries no version"
        return match.group(1)

    return find


def version_field(page: str) -> str:
    return hidden_value(page, "version")


def _one(stmt) -> Callable[[], list[str]]:
    return lambda: [str(v) for v in db.session.execute(stmt).one()]


# --- the forms -----------------------------------------------------------------------------


def test_measure_update(site):
    w = site.world
    url = f"/r/{SLUG}/insatser/{w.measure_id}/uppdatera"
    last_comment = (
        sa.select(MeasureUpdate.comment)
        .where(MeasureUpdate.measure_id == w.measure_id)
        .order_by(MeasureUpdate.id.desc())
        .limit(1)
    )
    outcome = race(
        site,
        url,
        version_field,
        url,
        lambda i: {"status": "ongoing", "progress": str(20 + i), "comment": f"Läget {i:02d}"},
        lambda i: [f"Läget {i:02d}"],
        _one(last_comment),
    )
    _check("measure update", outcome)
    count = sa.select(sa.func.count()).where(MeasureUpdate.measure_id == w.measure_id)
    assert site.query(lambda: db.session.scalar(count)) == 1  # one journal entry, not ten


def test_measure_edit(site):
    w = site.world
    url = f"/r/{SLUG}/insatser/{w.measure_id}/redigera"
    outcome = race(
        site,
        url,
        version_field,
        url,
        lambda i: {
            "title": f"Trygghetsvandringar {i:02d}",
            "category": "Samverkan",
            "description": f"Beskrivning {i:02d}",
            "owner_ids": str(w.owner_id),
            "comment": "",
        },
        lambda i: [f"Trygghetsvandringar {i:02d}", f"Beskrivning {i:02d}"],
        _one(sa.select(Measure.title, Measure.description).where(Measure.id == w.measure_id)),
    )
    _check("measure edit", outcome)


def test_place_edit(site):
    w = site.world
    url = f"/r/{SLUG}/platser/{w.place_id}"
    outcome = race(
        site,
        url,
        version_field,
        url,
        lambda i: {"name": f"Resecentrum {i:02d}", "area": f"Centrum {i:02d}"},
        lambda i: [f"Resecentrum {i:02d}", f"Centrum {i:02d}"],
        _one(sa.select(Place.name, Place.area).where(Place.id == w.place_id)),
    )
    _check("place edit", outcome)


def test_meeting_agenda(site):
    w = site.world
    outcome = race(
        site,
        f"/r/{SLUG}/est/moten/{w.meeting_id}",
        version_field,
        f"/r/{SLUG}/est/moten/{w.meeting_id}/dagordning",
        lambda i: {"agenda": f"Dagordning {i:02d}", "situation_summary": f"Lägesbild {i:02d}"},
        lambda i: [f"Dagordning {i:02d}", f"Lägesbild {i:02d}"],
        _one(
            sa.select(Meeting.agenda, Meeting.situation_summary).where(Meeting.id == w.meeting_id)
        ),
    )
    _check("meeting agenda", outcome)


def test_situation_note(site):
    w = site.world
    url = f"/r/{SLUG}/lagesbild/{w.note_id}/redigera"
    observed = hidden_free_value(site.browsers[0].get(url).text, "observed_from")
    outcome = race(
        site,
        url,
        version_field,
        url,
        lambda i: {
            "observed_from": observed,
            "observed_to": "",
            "place_id": str(w.place_id),
            "category_id": str(w.category_id),
            "source": "safety_host",
            "text": f"Grupp samlas vid busshållplatsen, iakttagelse {i:02d}.",
            "visibility": "shared",
            "measure_id": "",
        },
        lambda i: [f"Grupp samlas vid busshållplatsen, iakttagelse {i:02d}."],
        _one(sa.select(SituationNote.text).where(SituationNote.id == w.note_id)),
    )
    _check("situation note", outcome)


def test_action_status(site):
    w = site.world
    outcome = race(
        site,
        f"/r/{SLUG}/atgarder",
        action_version(w.action_id),
        f"/r/{SLUG}/atgarder/{w.action_id}",
        lambda i: {
            "status": "delayed",
            "due_date": "2099-12-31",  # postponed: a new date after the current one
            "comment": f"Väntar på reservdel {i:02d}",
            "next": f"/r/{SLUG}/atgarder",
        },
        lambda i: [f"Väntar på reservdel {i:02d}"],
        _one(sa.select(Action.status_comment).where(Action.id == w.action_id)),
    )
    _check("action status", outcome)


def test_partner(site):
    w = site.world
    url = f"/r/{SLUG}/admin/partner/{w.partner_id}"
    outcome = race(
        site,
        url,
        version_field,
        url,
        lambda i: {"name": f"Bostadsbolaget {i:02d}", "kind": f"Fastighetsbolag {i:02d}"},
        lambda i: [f"Bostadsbolaget {i:02d}", f"Fastighetsbolag {i:02d}"],
        _one(
            sa.select(PartnerOrganisation.name, PartnerOrganisation.kind).where(
                PartnerOrganisation.id == w.partner_id
            )
        ),
    )
    _check("partner", outcome)


# --- numbers and unique names --------------------------------------------------------------


def test_measures_created_at_once_get_distinct_numbers(site):
    answers = together(
        CREATORS,
        lambda i: site.browsers[i % EDITORS].post(
            f"/r/{SLUG}/insatser/ny",
            {"title": f"Ny insats {i:02d}", "category": "Samverkan", "description": ""},
        ),
    )
    numbers = site.query(
        lambda: list(
            db.session.scalars(sa.select(Measure.number).where(Measure.title.like("Ny insats %")))
        )
    )
    errors = sum(a.status >= 500 for a in answers)
    record_figure(
        "concurrent edits",
        f"{CREATORS} measures created at once: distinct numbers/server errors",
        f"{len(set(numbers))}/{errors}",
    )
    assert [a.status for a in answers] == [302] * CREATORS
    assert len(numbers) == len(set(numbers)) == CREATORS
    assert sorted(numbers) == list(range(2, 2 + CREATORS))  # after the existing measure 1


def test_places_created_at_once_with_one_name(site):
    answers = together(
        EDITORS,
        lambda i: site.browsers[i].post(
            f"/r/{SLUG}/platser/", {"place-name": "Torget", "place-area": f"Område {i:02d}"}
        ),
    )
    statuses = [a.status for a in answers]
    named = site.query(
        lambda: db.session.scalar(
            sa.select(sa.func.count()).select_from(Place).where(Place.name_key == "torget")
        )
    )
    record_figure(
        "concurrent edits",
        f"{EDITORS} places created at once with one name: created/refused/server errors",
        f"{statuses.count(302)}/{statuses.count(400)}/{sum(s >= 500 for s in statuses)}",
    )
    assert sorted(statuses) == [302] + [400] * (EDITORS - 1)
    assert named == 1
    for answer in answers:
        if answer.status == 400:
            assert "Det finns redan en plats med det namnet." in answer.text


def hidden_free_value(page: str, name: str) -> str:
    """The value of a visible input (the note's observation time, as the form shows it)."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, f"no input {name!r} in the page"
    return html.unescape(match.group(1))
