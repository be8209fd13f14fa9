"""No silent overwrite of a place: an edit from an older version is refused, shows what is
saved now and keeps what the user typed."""

from brott.extensions import db
from brott.models import Place

from .conftest import hidden_value, logged_in


def test_a_stale_place_edit_is_refused_with_both_versions_shown(
    app, council, coordinator, make_user, make_place
):
    from brott.models import Role

    place = make_place(council, "Resecentrum", area="Centrum")
    url = f"/r/borlange/platser/{place.id}"
    first, second = logged_in(app, coordinator), logged_in(app, make_user(Role.ADMIN, council))
    version = hidden_value(first.get(url).text, "version")
    assert hidden_value(second.get(url).text, "version") == version

    saved = first.post(url, data={"name": "Resecentrum", "area": "Norr", "version": version})
    assert saved.status_code == 302
    refused = second.post(url, data={"name": "Stationen", "area": "Söder", "version": version})
    assert refused.status_code == 409
    page = refused.text
    assert "Platsen har ändrats av någon annan" in page
    assert "<dd>Norr</dd>" in page  # what the other person saved
    assert 'value="Stationen"' in page and 'value="Söder"' in page  # what this one typed
    db.session.expire_all()
    assert (db.session.get(Place, place.id).name, db.session.get(Place, place.id).area) == (
        "Resecentrum",
        "Norr",
    )
    db.session.rollback()

    # having seen it, the user saves again on purpose, from the version now shown
    again = second.post(
        url,
        data={"name": "Stationen", "area": "Söder", "version": hidden_value(page, "version")},
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Place, place.id).name == "Stationen"


def test_a_place_edit_without_a_version_saves_nothing(app, council, coordinator, make_place):
    place = make_place(council, "Torget")
    client = logged_in(app, coordinator)
    for version in ("", "abc", "999", None):
        data = {"name": "Nytt"} if version is None else {"name": "Nytt", "version": version}
        response = client.post(f"/r/borlange/platser/{place.id}", data=data)
        assert response.status_code == 409 and "Platsen har ändrats" in response.text
    db.session.expire_all()
    assert db.session.get(Place, place.id).name == "Torget"
