"""Every text translatable: a complete Swedish catalog, nothing unmarked, pages and e-mails in
both languages, and the language chosen the way people expect."""

import ast
import re
from datetime import time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

from brott.extensions import db
from brott.models import ActionStatus, MeasureStatus, Membership, NoteSource, Role, User, utcnow
from brott.services import actions as action_service
from brott.services import calendar as calendar_service
from brott.services import digest, tokens

from .conftest import logged_in
from .report_objects import REPORT_VALUES, report_objects, reports_in_english
from .test_permissions import _url
from .tool_objects import ids_of, in_english, tool_objects

ROOT = Path(__file__).parent.parent
CATALOG = ROOT / "brott/translations/sv/LC_MESSAGES/messages.po"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "N_": None,
    "Nn_": (1, 2),
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}


def _catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="sv")


def _extracted_ids() -> set[str]:
    method_map = [
        ("brott/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


# --- the catalog -----------------------------------------------------------------------


def test_the_swedish_catalog_translates_every_marked_text():
    catalog = _catalog()
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_extracted_ids() - translated)
    assert not missing, f"untranslated or fuzzy in {CATALOG.name} (run `make messages`): {missing}"


def test_the_catalog_has_no_fuzzy_entries_and_keeps_placeholders():
    for message in _catalog():
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set().union(*(re.findall(r"%\((\w+)\)", i) for i in ids))
        for string in strings:
            found = set(re.findall(r"%\((\w+)\)", string))
            # a plural's singular may say "one" in words instead of using its number
            assert found == wanted or (len(ids) > 1 and found < wanted), message.id


# --- nothing unmarked ------------------------------------------------------------------

TEXT_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
LETTERS = re.compile(r"[A-Za-zÅÄÖåäö]{2,}")


class _Unmarked(HTMLParser):
    """Text and read-aloud attributes of a template whose Jinja parts are blanked out:
    what is left with letters in it was written in the template, not translated."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value and LETTERS.search(value):
                self.found.append(f"{name}={value!r}")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip and LETTERS.search(data):
            self.found.append(data.strip()[:60])


# names that are the same in every language: the product, and each language named in itself
NAMES = re.compile(r"\b(Brott|Svenska|English)\b")


def _blanked(source: str, env: Environment) -> str:
    """The template with every Jinja expression, statement, comment and `{% trans %}` text
    replaced by a space, and the names above taken out."""
    parts, in_trans, previous = [], False, ""
    for _line, kind, value in env.lex(source):
        if kind == "name" and previous == "block_begin":
            in_trans = {"trans": True, "pluralize": True, "endtrans": False}.get(value, in_trans)
        parts.append(value if kind == "data" and not in_trans else " ")
        if kind != "whitespace":
            previous = kind
    return NAMES.sub(" ", "".join(parts))


def test_no_template_shows_text_that_is_not_marked():
    env = Environment(extensions=["jinja2.ext.i18n"])
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.*")):
        text = _blanked(path.read_text(), env)
        if path.suffix == ".html":
            parser = _Unmarked()
            parser.feed(text)
            found = parser.found
        else:
            found = [line for line in text.splitlines() if LETTERS.search(line)]
        problems += [f"{path.relative_to(ROOT)}: {item}" for item in found]
    assert not problems, "\n".join(problems)


SHOWN_CALLS = {"flash", "DomainError", "ConflictError", "abort"}
WTF_FIELDS = re.compile(r"\w+Field$")
# data, not interface: demo content, the default category names, the method's own name
DATA_MODULES = {
    "demo.py",
    "demo_est.py",
    "demo_certification.py",
    "demo_cameras.py",
    "demo_indicators.py",
    "demo_walks.py",
    "demo_reports.py",
    "demo_follow_up.py",
}
# council data seeded in the council's language (categories, activity kinds, the checklist)
# and the Swedish column names an import recognises
DATA_NAMES = {"DEFAULT_CATEGORIES", "DEFAULT_TITLE", "DEFAULT_KINDS", "DEFAULT_POINTS", "COLUMNS"}


def _string(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip()


def test_no_python_text_shown_to_users_is_left_unmarked():
    problems = []
    for path in sorted((ROOT / "brott").rglob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and _string(node.body[0].value)
        }
        data = {
            id(sub)
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
            and any(
                isinstance(t, ast.Name) and t.id in DATA_NAMES
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
            for sub in ast.walk(node.value)
        }
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                shown = name in SHOWN_CALLS or WTF_FIELDS.match(name)
                if shown and node.args and _string(node.args[0]):
                    problems.append(f"{where}:{node.lineno}: {name}({node.args[0].value!r})")
                for keyword in node.keywords:
                    if keyword.arg in {"message", "label", "description"} and _string(
                        keyword.value
                    ):
                        problems.append(f"{where}:{node.lineno}: {keyword.arg}=… unmarked")
            if (
                path.name not in DATA_MODULES
                and _string(node)
                and id(node) not in docstrings
                and id(node) not in data
                and re.search(r"[åäöÅÄÖ]", node.value)
            ):
                problems.append(f"{where}:{node.lineno}: Swedish literal {node.value[:40]!r}")
    assert not problems, "\n".join(problems)


# --- choosing the language ---------------------------------------------------------------


def _saved_locale(user_id: int) -> str | None:
    """What the database holds now; the read ends at once, so the next request may write."""
    db.session.expire_all()
    locale = db.session.get(User, user_id).locale
    db.session.rollback()
    return locale


def test_swedish_is_the_default_and_the_browser_may_ask_for_english(app):
    client = app.test_client()
    assert 'lang="sv"' in client.get("/logga-in").text
    english = client.get("/logga-in", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert 'lang="en"' in english and "Log in" in english


@pytest.mark.parametrize(
    "header", ["", "xx", "*", "en;q=banana", "sv;q=0.1, en;q=0.9, \x7f", "a" * 5000, ";;;,,,"]
)
def test_a_strange_accept_language_never_breaks_a_page(app, header):
    response = app.test_client().get("/logga-in", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert 'lang="sv"' in response.text or 'lang="en"' in response.text


def test_the_switch_keeps_a_visitors_choice_and_saves_a_users(app, council, member):
    visitor = app.test_client()
    response = visitor.post("/sprak", data={"language": "en", "next": "/logga-in"})
    assert response.status_code == 302 and response.location.endswith("/logga-in")
    assert 'lang="en"' in visitor.get("/logga-in").text
    client = logged_in(app, member)
    client.post("/sprak", data={"language": "en", "next": "/"})
    assert _saved_locale(member.id) == "en"
    # the saved preference wins over the browser's wish, in a new session too
    other = logged_in(app, member)
    page = other.get("/r/borlange/", headers={"Accept-Language": "sv"}).text
    assert 'lang="en"' in page and "Measures" in page


@pytest.mark.parametrize("code", ["xx", "", "de", "sv-FI", "<script>"])
def test_an_unknown_language_falls_back_to_swedish(app, council, member, code):
    client = logged_in(app, member)
    client.post("/sprak", data={"language": "en", "next": "/"})
    response = client.post("/sprak", data={"language": code, "next": "//evil.example/"})
    assert response.status_code == 302 and "evil" not in response.location
    assert _saved_locale(member.id) == "sv"
    assert 'lang="sv"' in client.get("/r/borlange/").text


def test_the_profile_saves_the_language(app, council, member):
    client = logged_in(app, member)
    assert client.get("/konto").status_code == 200
    assert client.post("/konto", data={"language": "en"}).status_code == 302
    assert _saved_locale(member.id) == "en"
    assert client.post("/konto", data={"language": "klingon"}).status_code == 302
    assert _saved_locale(member.id) == "sv"


# --- every page in both languages --------------------------------------------------------


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}


def _swedish_only_words() -> set[str]:
    """Words the Swedish catalog uses that no English message id does."""
    swedish, english = set(), set()
    for message in _catalog():
        if not message.id:
            continue
        for text in [message.id] if isinstance(message.id, str) else message.id:
            english |= _words(re.sub(r"%\(\w+\)\w", " ", text))
        for text in [message.string] if isinstance(message.string, str) else message.string:
            swedish |= _words(re.sub(r"%\(\w+\)\w", " ", text))
    return swedish - english


class _Text(HTMLParser):
    """The text a reader meets: content and the attributes read aloud or shown."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def english_world(
    make_council,
    make_user,
    make_measure,
    make_partner,
    make_meeting,
    make_decision,
    make_place,
    make_category,
    make_note,
):
    """A council whose own data is all in English, so any Swedish on an English page is
    the interface's."""
    council = make_council(slug="borlange", name="Borlange Council")
    admin = make_user(Role.ADMIN, council, name="Ada Admin", email="ada@example.org")
    owner = make_user(Role.MEMBER, council, name="Owen Owner", email="owen@example.org")
    measure = make_measure(
        council,
        owners=[owner],
        title="Street lights",
        description="Brighter paths",
        category="Lighting",
        status=MeasureStatus.ONGOING,
    )
    partner = make_partner(council, "Transit Company", kind="Transport")
    meeting = make_meeting(council, title="Joint meeting")
    place = make_place(council, "Station", area="Centre")
    action = make_decision(meeting, admin, owner, "Paint over", place=place)
    note = make_note(
        council,
        admin,
        place,
        make_category(council, "Graffiti"),
        "Tags, fresh paint",
        utcnow() - timedelta(hours=2),
        source=NoteSource.CITY_HOST,
    )
    action_token = tokens.action_link_token(action, ActionStatus.DELAYED)
    feed_token = calendar_service.enable_feed(owner)
    made = tool_objects(council, {"coordinator": admin, "member": owner}, measure)
    in_english(council, made)
    reported = report_objects(council, {"coordinator": admin})
    reports_in_english(reported)
    tools = ids_of(made) | ids_of(reported) | REPORT_VALUES
    db.session.commit()
    membership_id = db.session.scalar(db.select(Membership.id).filter_by(user_id=owner.id))
    return SimpleNamespace(
        slug="borlange",
        measure_id=measure.id,
        membership_id=membership_id,
        partner_id=partner.id,
        meeting_id=meeting.id,
        action_id=action.id,
        action_token=action_token,
        feed_token=feed_token,
        note_id=note.id,
        internal_note_id=note.id,
        place_id=place.id,
        admin=admin,
        tools=tools,
    )


def _pages(app, client, world):
    """(endpoint, html) of every HTML page of the sweep that the client may open."""
    for rule in app.url_map.iter_rules():
        skipped = rule.endpoint in ("static", "calendar.feed", "calendar.meeting_ics")
        # a page whose address names its language speaks that one (tests/test_follow_up)
        skipped = skipped or "lang" in rule.arguments
        if "GET" not in rule.methods or skipped:
            continue
        response = client.get(_url(rule, world))
        response.close()  # a photo is streamed from a file
        if response.status_code == 200 and response.mimetype == "text/html":
            yield rule.endpoint, response.text


# names that are the same in every language: the police's web address (polisen.se)
PROPER_NAMES = {"polisen"}


def test_every_page_renders_in_english_without_swedish_left(app, english_world):
    swedish = _swedish_only_words() - PROPER_NAMES
    client = logged_in(app, english_world.admin)
    client.post("/sprak", data={"language": "en", "next": "/"})
    pages = dict(_pages(app, client, english_world))
    leftovers = {
        endpoint: sorted(found)
        for endpoint, html in pages.items()
        if (found := _words(_visible(html)) & swedish)
    }
    assert len(pages) >= 20
    assert not leftovers, "\n".join(f"{e}: {w}" for e, w in sorted(leftovers.items()))


def test_every_page_renders_in_swedish(app, english_world):
    client = logged_in(app, english_world.admin)
    english_only = {"the", "and", "your", "this", "with", "there", "save", "delete", "edit"}
    pages = dict(_pages(app, client, english_world))
    assert len(pages) >= 20 and all('lang="sv"' in html for html in pages.values())
    problems = {
        endpoint: sorted(found)
        for endpoint, html in pages.items()
        if (found := _words(_visible(html)) & english_only)
    }
    assert not problems, problems


# --- e-mails -----------------------------------------------------------------------------


def test_the_digest_goes_out_in_each_recipients_language(app, english_world):
    from brott.models import OutboxMessage

    owner = db.session.get(User, db.session.get(Membership, english_world.membership_id).user_id)
    owner.locale = "en"
    db.session.commit()
    action = db.session.get(action_service.Action, english_world.action_id)
    due = action.due_date
    from datetime import datetime

    from brott.clock import STOCKHOLM

    digest.plan_daily_digest(datetime.combine(due, time(7), tzinfo=STOCKHOLM))
    db.session.commit()
    row = db.session.scalars(
        db.select(OutboxMessage).filter_by(recipient_id=owner.id, kind=digest.DIGEST)
    ).one()
    assert "Mark as done" in row.body and "Markera" not in row.body
    assert "Mark as done" in row.html_body and row.html_body.lstrip().startswith("<!doctype")
    council_name = db.session.get(Membership, english_world.membership_id).council.name
    assert row.subject.startswith(f"{council_name}: your actions and measures")
    owner.locale = "sv"
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    digest.plan_daily_digest(datetime.combine(due, time(7), tzinfo=STOCKHOLM))
    db.session.commit()
    row = db.session.scalars(
        db.select(OutboxMessage).filter_by(recipient_id=owner.id, kind=digest.DIGEST)
    ).one()
    assert "Markera som klar" in row.body and "Mark as done" not in row.body
    assert row.subject.startswith(f"{council_name}: dina åtgärder och insatser")
