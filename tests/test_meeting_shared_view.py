"""The meeting page is safe to project and to print: its shared view shows exactly what the
police see, and the coordinator's own page labels internal items and leaves them out of the
print.

An internal note carries a planted marker. It must never be in the shared view's HTML, and
on the coordinator's page every element that holds it must be one the print stylesheet
hides (what is left after removing those elements is what a printer gets).
"""

import re
from datetime import UTC, date, datetime, timedelta
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import pytest

from brott.extensions import db
from brott.models import Role, Visibility
from brott.policy import Permission, Viewer, role_permissions
from brott.services.shared_view import shared_viewer

from .conftest import logged_in
from .swedish import sv

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # the day before the first meeting
MARKER = "HEMLIG-MARKÖR-7731"  # planted in an internal note
SECRET_PLACE = "Skyddat boende Ö"  # a place only an internal note names
SHARED_TEXT = "Nedskräpning vid busshållplatsen"
STYLE = Path(__file__).parent.parent / "brott" / "static" / "style.css"


@pytest.fixture
def make_series(make_series):
    return partial(make_series, now=NOW, first=date(2026, 1, 13))


@pytest.fixture
def meeting(frozen, council, coordinator, police, make_series, make_note, make_place):
    """The coming meeting, with a shared and an internal note in its period."""
    series = make_series(council, invitees=[police])
    seen = NOW - timedelta(days=2)
    shared_place = make_place(council, "Resecentrum")
    make_note(council, police, shared_place, text=SHARED_TEXT, observed_from=seen)
    make_note(
        council,
        coordinator,
        make_place(council, SECRET_PLACE),
        text=f"Orolig elev, uppgift från skolan {MARKER}",
        observed_from=seen,
        visibility=Visibility.INTERNAL,
    )
    first = series.meetings[0]
    db.session.rollback()
    return first


class PrintedText(HTMLParser):
    """The text a printer gets: elements whose classes the print stylesheet hides are left
    out, with all they contain."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self, hidden: set[str]) -> None:
        super().__init__()
        self.hidden = hidden
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append(bool(classes & self.hidden) or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls(print_hidden_classes())
        parser.feed(html)
        return " ".join(parser.parts)


def print_hidden_classes() -> set[str]:
    """The classes that an `@media print` block of style.css sets to `display: none`."""
    css = STYLE.read_text(encoding="utf-8")
    hidden: set[str] = set()
    for block in re.finditer(r"@media print\s*\{((?:[^{}]|\{[^{}]*\})*)\}", css):
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block.group(1)):
            if re.search(r"display:\s*none", body):
                names = [s.strip() for s in selectors.split(",")]
                hidden |= {name[1:] for name in names if re.fullmatch(r"\.[\w-]+", name)}
    return hidden


def test_the_print_stylesheet_hides_internal_items():
    assert {"internal", "noprint"} <= print_hidden_classes()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN, Role.MEMBER, Role.POLICE])
def test_the_shared_view_shows_what_the_police_see_and_no_internal_item(
    app, meeting, council, make_user, role
):
    client = logged_in(app, make_user(role, council))
    response = client.get(f"/r/borlange/est/moten/{meeting.id}/delad")
    assert response.status_code == 200
    html = response.text
    assert MARKER not in html
    assert SECRET_PLACE not in html
    assert "tag-internal" not in html and 'class="internal"' not in html
    assert SHARED_TEXT in html and "Resecentrum" in html
    # to project: no edit form of any kind, a print button, a way back
    assert "<form" not in html and "<input" not in html and "<textarea" not in html
    assert "data-print" in html
    assert f'href="/r/borlange/est/moten/{meeting.id}"' in html
    assert 'class="shared-view"' in html


def test_the_coordinators_page_labels_internal_items_and_leaves_them_out_of_the_print(
    app, meeting, coordinator
):
    html = logged_in(app, coordinator).get(f"/r/borlange/est/moten/{meeting.id}").text
    # on screen: the internal note is there, labelled in words
    item = re.search(r"<li class=\"internal\">(.*?)</li>", html, re.S)
    assert item is not None and MARKER in item.group(1)
    assert f'<span class="tag-internal">{sv(app, "Internal")}</span>' in item.group(1)
    # the counts include the internal note: labelled, and on screen only
    counts = re.search(r'<div class="internal">(.*?)</div>', html, re.S)
    assert counts is not None and SECRET_PLACE in counts.group(1)
    assert sv(app, "The counts include internal notes, which the police do not see.") in (
        counts.group(1)
    )
    # printed: neither the note, nor its place; the shared note and the police's counts are
    printed = PrintedText.of(html)
    assert MARKER not in printed
    assert SECRET_PLACE not in printed
    assert SHARED_TEXT in printed and "Resecentrum" in printed
    # the way to the projector
    assert f'href="/r/borlange/est/moten/{meeting.id}/delad"' in html
    assert sv(app, "Shared view (for the projector)") in html


def test_the_police_page_has_nothing_internal_to_mark(app, meeting, police):
    html = logged_in(app, police).get(f"/r/borlange/est/moten/{meeting.id}").text
    assert MARKER not in html and SECRET_PLACE not in html
    assert "tag-internal" not in html and 'class="internal"' not in html
    assert SHARED_TEXT in html


def test_the_shared_viewer_has_the_polices_permissions_whatever_the_role(
    app, council, coordinator, make_user
):
    from brott.models import Membership

    for role in Role:
        membership = db.session.scalars(
            db.select(Membership).filter_by(user_id=make_user(role, council).id)
        ).one()
        shared = shared_viewer(Viewer.member(membership))
        assert Permission.VIEW_INTERNAL_NOTES not in shared.permissions
        assert shared.permissions <= role_permissions(Role.POLICE)
        # who attends meetings sees the shared view; a responsible body's staff do not
        may_view = Permission.VIEW_MEETINGS in role_permissions(role)
        assert (Permission.VIEW_MEETINGS in shared.permissions) == may_view


def test_the_shared_view_is_refused_outside_the_council(
    app, meeting, client, make_council, make_user
):
    path = f"/r/borlange/est/moten/{meeting.id}/delad"
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/logga-in" in anonymous.location
    stranger = make_user(Role.ADMIN, make_council(slug="falun"))
    assert logged_in(app, stranger).get(path).status_code == 404
    assert logged_in(app, stranger).get(f"/r/falun/est/moten/{meeting.id}/delad").status_code == 404


def test_the_shared_view_of_no_such_meeting_is_a_404(app, meeting, coordinator):
    client = logged_in(app, coordinator)
    assert client.get("/r/borlange/est/moten/999999/delad").status_code == 404
    assert client.get("/r/borlange/est/moten/abc/delad").status_code == 404
