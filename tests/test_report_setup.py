"""Setting up the report service: the settings, categories, responsible bodies and routing
rules, who may do it, and the default categories a council starts with."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from markupsafe import escape

from brott.extensions import db
from brott.models import Membership, Role
from brott.models.reports import (
    BodyKind,
    ReportCategory,
    ReportSettings,
    ReportSource,
    ReportStatus,
    ResidentReport,
    ResponsibleBody,
    RoutingRule,
)
from brott.services import councils, report_setup

from .conftest import hidden_value, logged_in
from .report_objects import report_setup as make_setup

BASE = "/r/borlange/rapporter/installningar"


# --- helpers and factories -----------------------------------------------------------------


@pytest.fixture
def setup(council):
    made = make_setup(council)
    db.session.commit()
    return made


@pytest.fixture
def staff(coordinator, app):
    return logged_in(app, coordinator)


def fresh(model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def open_report(council, category, body=None, status=ReportStatus.NEW) -> ResidentReport:
    n = rows(ResidentReport)
    report = ResidentReport(
        council_id=council.id,
        token=f"token-{n}",
        category_id=category.id,
        body_id=body.id if body else None,
        status=status,
        is_open=status in (ReportStatus.NEW, ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS),
        address="Stationsgatan 3",
        description="Lampan är släckt",
        source=ReportSource.WEB,
    )
    db.session.add(report)
    db.session.commit()
    return report


def shown(app, message: str) -> str:
    """A message as the (Swedish) pages show it, escaped as in HTML."""
    with app.test_request_context(), force_locale("sv"):
        return str(escape(gettext(message)))


def post_loaded(client, url: str, **data):
    """Post a form with the version it was loaded with."""
    version = hidden_value(client.get(url).text, "version")
    return client.post(url, data={**data, "version": version})


SETTINGS = {
    "min_latitude": "60,35",
    "max_latitude": "60,62",
    "min_longitude": "14,95",
    "max_longitude": "15,75",
    "nearby_metres": "300",
    "follow_up_weeks": "6",
    "email_retention_days": "120",
    "open311_key_required": "y",
    "contact_text": "Kommunens kontaktcenter, 0243-740 00",
}


def category_form(**changes) -> dict:
    data = {
        "name": "Trasig parkbänk",
        "name_en": "Broken park bench",
        "service_code": "",
        "description": "Bänkar i parker och på torg",
        "body_id": "",
        "position": "5",
        "active": "y",
    }
    return {**data, **changes}


def body_form(**changes) -> dict:
    data = {
        "name": "Fastighetsavdelningen",
        "kind": "municipal_unit",
        "partner_id": "",
        "contact_email": " Fastighet@Kommun.Example ",
        "active": "y",
    }
    return {**data, **changes}


# --- who may -------------------------------------------------------------------------------


@pytest.fixture
def body_staff(make_user, council, setup):
    """A staff member of the setup's energy company."""
    user = make_user(Role.BODY_STAFF, council)
    db.session.execute(
        sa.update(Membership).where(Membership.user_id == user.id).values(body_id=setup["body"].id)
    )
    db.session.commit()
    return user


def test_only_coordinators_and_admins_reach_the_setup(
    app, client, council, setup, coordinator, member, police, body_staff, make_user, make_council
):
    urls = [
        f"{BASE}/",
        f"{BASE}/tjanst",
        f"{BASE}/kategorier/ny",
        f"{BASE}/kategorier/{setup['category'].id}",
        f"{BASE}/organisationer/ny",
        f"{BASE}/organisationer/{setup['body'].id}",
    ]
    stranger = make_user(Role.ADMIN, make_council())
    expected = {
        coordinator: 200,
        make_user(Role.ADMIN, council): 200,
        member: 403,
        police: 403,
        body_staff: 403,
        stranger: 404,
    }
    for user, status in expected.items():
        browser = logged_in(app, user)
        assert [browser.get(url).status_code for url in urls] == [status] * len(urls), user.email
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 302 and "/logga-in" in answer.location
    # the posting URLs refuse the same way, and change nothing
    rule_id = setup["rule"].id
    member_browser = logged_in(app, member)
    assert member_browser.post(f"{BASE}/regler/{rule_id}/ta-bort").status_code == 403
    assert member_browser.post(f"{BASE}/regler", data={}).status_code == 403
    assert logged_in(app, stranger).post(f"{BASE}/regler/{rule_id}/ta-bort").status_code == 404
    assert rows(RoutingRule) == 1


def test_the_overview_shows_settings_categories_bodies_staff_and_rules(
    council, setup, staff, body_staff
):
    page = staff.get(f"{BASE}/").text
    for text in ("Belysning", "belysning", "Energibolaget", "felanmalan@energi.example"):
        assert text in page
    assert "Tjärna" in page and "Gata och park" in page
    energy_row = re.search(r"<tr>\s*<td>Energibolaget.*?</tr>", page, re.S)
    assert energy_row and "<td>1</td>" in energy_row.group(0)  # one staff account


# --- the settings --------------------------------------------------------------------------


def test_settings_are_saved_with_decimal_commas(council, staff):
    answer = post_loaded(staff, f"{BASE}/tjanst", **SETTINGS)
    assert answer.status_code == 302
    settings = db.session.scalars(sa.select(ReportSettings)).one()
    assert (settings.min_latitude, settings.max_longitude) == (60.35, 15.75)
    assert (settings.nearby_metres, settings.follow_up_weeks) == (300, 6)
    assert settings.email_retention_days == 120 and settings.open311_key_required
    assert settings.contact_text.startswith("Kommunens kontaktcenter")


def test_bad_settings_are_refused_with_the_input_kept(app, council, staff):
    url = f"{BASE}/tjanst"
    bad = {
        **SETTINGS,
        "max_latitude": "60,1",  # south of the southern limit
        "nearby_metres": "9000",
        "min_longitude": "200",
        "contact_text": "x" * 301,
    }
    answer = post_loaded(staff, url, **bad)
    assert answer.status_code == 400
    page = answer.text
    assert 'value="60,1"' in page and 'value="9000"' in page and 'value="200"' in page
    assert shown(app, "The northern limit must lie north of the southern.") in page
    assert page.count('aria-invalid="true"') == 4
    not_a_number = post_loaded(staff, url, **{**SETTINGS, "follow_up_weeks": "sex"})
    assert not_a_number.status_code == 400 and 'value="sex"' in not_a_number.text
    # nothing saved: the defaults (made on first use) stay, if they were stored at all
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(ReportSettings.nearby_metres))) <= {250}


def test_settings_saved_meanwhile_are_a_conflict(council, staff, app, coordinator):
    url = f"{BASE}/tjanst"
    version = hidden_value(staff.get(url).text, "version")
    other = logged_in(app, coordinator)
    assert post_loaded(other, url, **{**SETTINGS, "nearby_metres": "500"}).status_code == 302
    answer = staff.post(url, data={**SETTINGS, "nearby_metres": "700", "version": version})
    assert answer.status_code == 409
    assert 'value="700"' in answer.text and 'class="conflict"' in answer.text
    assert db.session.scalars(sa.select(ReportSettings.nearby_metres)).one() == 500
    # having seen it, a second save is deliberate and goes through
    again = hidden_value(answer.text, "version")
    retry = staff.post(url, data={**SETTINGS, "nearby_metres": "700", "version": again})
    assert retry.status_code == 302


# --- categories ----------------------------------------------------------------------------


def test_a_category_is_created_with_a_code_made_from_its_name_and_bad_ones_refused(
    council, setup, staff
):
    answer = staff.post(
        f"{BASE}/kategorier/ny", data=category_form(body_id=str(setup["other_body"].id))
    )
    assert answer.status_code == 302
    made = db.session.scalars(
        sa.select(ReportCategory).where(ReportCategory.name == "Trasig parkbänk")
    ).one()
    assert made.service_code == "trasig-parkbank"
    assert made.name_en == "Broken park bench" and made.body_id == setup["other_body"].id
    assert made.position == 5 and made.active
    # refused: a name taken (ignoring case), a code that is not one, too long a description
    answer = staff.post(
        f"{BASE}/kategorier/ny",
        data=category_form(name="BELYSNING", service_code="Gatu Lampor!", description="y" * 301),
    )
    assert answer.status_code == 400
    assert 'value="BELYSNING"' in answer.text and 'value="Gatu Lampor!"' in answer.text
    assert answer.text.count('aria-invalid="true"') == 3
    taken_code = staff.post(
        f"{BASE}/kategorier/ny", data=category_form(name="Lampor", service_code="belysning")
    )
    assert taken_code.status_code == 400 and 'value="belysning"' in taken_code.text
    inactive = setup["other_body"]
    inactive.active = False
    db.session.commit()
    refused_body = staff.post(
        f"{BASE}/kategorier/ny", data=category_form(name="Bänkar", body_id=str(inactive.id))
    )
    assert refused_body.status_code == 400 and 'id="body_id-error"' in refused_body.text
    assert rows(ReportCategory) == 2  # the setup's and the first one


def test_a_category_is_changed_and_a_stale_change_is_a_conflict(council, setup, staff):
    url = f"{BASE}/kategorier/{setup['category'].id}"
    version = hidden_value(staff.get(url).text, "version")
    changed = category_form(name="Gatubelysning", service_code="gatubelysning", active="")
    assert staff.post(url, data={**changed, "version": version}).status_code == 302
    category = fresh(ReportCategory, setup["category"].id)
    assert (category.name, category.service_code, category.active) == (
        "Gatubelysning",
        "gatubelysning",
        False,
    )
    stale = staff.post(url, data={**changed, "name": "Lampor", "version": version})
    assert stale.status_code == 409 and 'value="Lampor"' in stale.text
    assert fresh(ReportCategory, setup["category"].id).name == "Gatubelysning"


def test_the_service_code_is_fixed_once_reports_exist(council, setup, staff):
    open_report(council, setup["category"], setup["body"])
    url = f"{BASE}/kategorier/{setup['category'].id}"
    assert "readonly" in staff.get(url).text
    answer = post_loaded(staff, url, **category_form(name="Belysning", service_code="lampor"))
    assert answer.status_code == 400 and 'value="lampor"' in answer.text
    assert fresh(ReportCategory, setup["category"].id).service_code == "belysning"
    # everything else may still change
    kept = category_form(name="Gatubelysning", service_code="belysning")
    assert post_loaded(staff, url, **kept).status_code == 302
    assert fresh(ReportCategory, setup["category"].id).name == "Gatubelysning"


# --- bodies --------------------------------------------------------------------------------


def test_a_body_is_created_with_its_partner_and_a_normalised_address(council, staff, make_partner):
    partner = make_partner(council, name="Borlänge Energi AB")
    data = body_form(name="Borlänge Energi", kind="partner", partner_id=str(partner.id))
    assert staff.post(f"{BASE}/organisationer/ny", data=data).status_code == 302
    body = db.session.scalars(sa.select(ResponsibleBody)).one()
    assert (body.kind, body.partner_id) == (BodyKind.PARTNER, partner.id)
    assert body.contact_email == "fastighet@kommun.example"


def test_a_bad_body_is_refused_with_the_input_kept(
    council, setup, staff, make_partner, make_council
):
    elsewhere = make_partner(make_council(), name="Annans partner")
    data = body_form(
        name="energibolaget", contact_email="inte en adress", partner_id=str(elsewhere.id)
    )
    answer = staff.post(f"{BASE}/organisationer/ny", data=data)
    assert answer.status_code == 400
    assert 'value="energibolaget"' in answer.text and 'value="inte en adress"' in answer.text
    assert answer.text.count('aria-invalid="true"') == 3
    assert rows(ResponsibleBody) == 2


def test_a_body_with_open_reports_cannot_be_taken_out_of_use(council, setup, staff):
    body = setup["body"]
    for _ in range(2):
        open_report(council, setup["category"], body)
    open_report(council, setup["category"], body, status=ReportStatus.FIXED)
    url = f"{BASE}/organisationer/{body.id}"
    data = body_form(name="Energibolaget", kind="partner", active="")
    answer = post_loaded(staff, url, **data)
    assert answer.status_code == 400
    assert "2" in re.search(r'id="active-error">(.*?)</div>', answer.text, re.S).group(1)
    assert fresh(ResponsibleBody, body.id).active
    # with the reports handed over, it can
    db.session.execute(sa.update(ResidentReport).values(body_id=setup["other_body"].id))
    db.session.commit()
    assert post_loaded(staff, url, **data).status_code == 302
    assert not fresh(ResponsibleBody, body.id).active


def test_a_stale_change_of_a_body_is_a_conflict(council, setup, staff):
    url = f"{BASE}/organisationer/{setup['body'].id}"
    version = hidden_value(staff.get(url).text, "version")
    first = body_form(name="Energibolaget AB", kind="partner")
    assert staff.post(url, data={**first, "version": version}).status_code == 302
    stale = staff.post(url, data={**first, "name": "Elnätet", "version": version})
    assert stale.status_code == 409 and 'value="Elnätet"' in stale.text
    assert fresh(ResponsibleBody, setup["body"].id).name == "Energibolaget AB"


# --- routing rules -------------------------------------------------------------------------


def test_rules_are_added_once_per_category_and_area_and_removed(council, setup, staff, make_place):
    make_place(council, "Tjärnaskolan", area="Tjärna")
    make_place(council, "Jakobsgårdarnas torg", area="Jakobsgårdarna")
    rule = {
        "category_id": str(setup["category"].id),
        "area": "Jakobsgårdarna",
        "body_id": str(setup["other_body"].id),
    }
    assert staff.post(f"{BASE}/regler", data=rule).status_code == 302
    assert rows(RoutingRule) == 2
    twice = staff.post(f"{BASE}/regler", data={**rule, "area": "Tjärna"})
    assert twice.status_code == 400 and "data-error-summary" in twice.text
    unknown = staff.post(f"{BASE}/regler", data={**rule, "area": "Månen"})
    assert unknown.status_code == 400
    assert rows(RoutingRule) == 2
    assert staff.get(f"{BASE}/regler/{setup['rule'].id}/ta-bort").status_code == 302
    assert rows(RoutingRule) == 2  # a GET removes nothing
    assert staff.post(f"{BASE}/regler/{setup['rule'].id}/ta-bort").status_code == 302
    assert rows(RoutingRule) == 1


# --- the default categories ----------------------------------------------------------------


def test_a_new_council_gets_the_default_categories_once(app):
    council = councils.create_council("ny-kommun", "Nya rådet", "Ny kommun")
    db.session.commit()
    assert report_setup.seed_defaults(council.id) == []
    codes = db.session.scalars(
        sa.select(ReportCategory.service_code)
        .where(ReportCategory.council_id == council.id)
        .order_by(ReportCategory.position)
    ).all()
    assert codes == [
        "belysning",
        "skadegorelse",
        "klotter",
        "nedskrapning",
        "otrygg-plats",
        "vegetation",
        "ovrigt",
    ]
    categories = report_setup.categories(council.id)
    assert all(c.name_en and c.body_id is None for c in categories)
