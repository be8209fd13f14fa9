"""A measure's page lists what is linked to it from elsewhere: EST decisions, other actions
and situation notes — each only as far as the viewer may read it."""

from datetime import date

from brott.extensions import db
from brott.models import Action, ActionOrigin, Role, Visibility

from .conftest import logged_in
from .test_query_counts import counted_statements


def _link(action: Action, measure) -> Action:
    action.measure_id = measure.id
    db.session.commit()
    return action


def test_the_measure_page_lists_its_decisions_actions_and_notes(
    app, council, coordinator, make_measure, make_meeting, make_decision, make_note
):
    measure = make_measure(council, owners=[coordinator])
    meeting = make_meeting(council)
    _link(make_decision(meeting, coordinator, title="Belysning vid tunneln"), measure)
    manual = make_decision(meeting, coordinator, title="Klottersanering vid skolan")
    manual.origin, manual.meeting_id = ActionOrigin.MANUAL, None
    _link(manual, measure)
    make_note(council, measure_id=measure.id, visibility=Visibility.SHARED)
    make_note(council, measure_id=measure.id, visibility=Visibility.INTERNAL)
    make_note(council)  # filed under no measure

    page = logged_in(app, coordinator).get(f"/r/{council.slug}/insatser/{measure.id}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    decisions, rest = html.split("Situationsanteckningar", 1)[0].split("Andra åtgärder", 1)
    assert "Belysning vid tunneln" in decisions and "Klottersanering" not in decisions
    assert "Klottersanering vid skolan" in rest
    assert html.count('class="linked-notes"') == 1
    assert html.split('class="linked-notes"')[1].split("</ul>")[0].count("<li>") == 2


def test_the_police_see_only_shared_notes_under_a_measure(
    app, council, police, make_measure, make_note
):
    measure = make_measure(council)
    shared = make_note(council, measure_id=measure.id, visibility=Visibility.SHARED)
    internal = make_note(council, measure_id=measure.id, visibility=Visibility.INTERNAL)

    html = logged_in(app, police).get(f"/r/{council.slug}/insatser/{measure.id}").get_data(True)

    assert f"/lagesbild/{shared.id}" in html
    assert f"/lagesbild/{internal.id}" not in html


def test_a_measure_without_links_says_so(app, council, member, make_measure):
    measure = make_measure(council)
    html = logged_in(app, member).get(f"/r/{council.slug}/insatser/{measure.id}").get_data(True)
    assert "Inget EST-beslut gäller den här insatsen." in html
    assert "Ingen situationsanteckning hör till den här insatsen." in html


def test_another_councils_member_cannot_open_the_measure(
    app, council, make_council, make_user, make_measure
):
    measure = make_measure(council)
    outsider = make_user(Role.COORDINATOR, make_council(slug="falun"))
    response = logged_in(app, outsider).get(f"/r/{council.slug}/insatser/{measure.id}")
    assert response.status_code == 404


def test_the_linked_lists_cost_the_same_statements_for_2_and_20_links(
    app, council, coordinator, make_measure, make_meeting, make_decision, make_note
):
    measure = make_measure(council, owners=[coordinator])
    meeting = make_meeting(council)
    client = logged_in(app, coordinator)
    url = f"/r/{council.slug}/insatser/{measure.id}"

    def add(n: int) -> int:
        for i in range(n):
            _link(make_decision(meeting, coordinator, due=date(2031, 1, 1 + i)), measure)
            make_note(council, measure_id=measure.id)
        db.session.rollback()
        with counted_statements() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    assert add(2) == add(18)
