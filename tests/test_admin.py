"""Council administration: members, their roles and the council's partner organisations."""

import pytest
import sqlalchemy as sa

from brott.extensions import db
from brott.models import Membership, PartnerOrganisation, Role, User

from .conftest import PASSWORD, hidden_value, logged_in, login

# --- helpers ------------------------------------------------------------------------------


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def fresh(obj):
    """The object as the database holds it now (requests ran in their own sessions)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def membership_of(user: User, council) -> Membership:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.council_id == council.id
        )
    ).one()


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()


def partner_names(council) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(PartnerOrganisation.name)
        .where(PartnerOrganisation.council_id == council.id)
        .order_by(PartnerOrganisation.name)
    ).all()


def new_member(email="ny.person@exempel.se", name="Ny Person", role="member"):
    return {"email": email, "name": name, "role": role}


def save_membership(client, membership: Membership, **data):
    """Post the membership form as it was loaded, with its version."""
    url = f"/r/falun/admin/medlemskap/{membership.id}"
    version = hidden_value(client.get(url).text, "version")
    return client.post(url, data={**data, "version": version})


@pytest.fixture
def council(make_council):
    return make_council(slug="falun", name="Faluns brottsförebyggande råd")


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council, name="Ada Admin")


@pytest.fixture
def admin_client(app, admin):
    return logged_in(app, admin)


# --- adding members -----------------------------------------------------------------------


def test_admin_sees_the_members_of_the_council(admin_client, make_user, make_council, council):
    make_user(Role.POLICE, council, name="Polly Polis")
    make_user(Role.MEMBER, make_council(), name="Främling Annanstans")

    page = admin_client.get("/r/falun/admin/anvandare")

    assert page.status_code == 200
    assert "Ada Admin" in page.text and "Polly Polis" in page.text
    assert "Kommunpolis" in page.text
    assert "Främling Annanstans" not in page.text


def test_admin_invites_a_new_person_who_is_listed_but_cannot_log_in_yet(app, admin_client, council):
    """Nobody chooses another person's password: the account waits for its owner to choose
    one through the e-mailed link (tests/test_invitations.py)."""
    response = admin_client.post(
        "/r/falun/admin/anvandare/ny",
        data=new_member(email="Ny.Person@Exempel.se", role="coordinator"),
    )

    assert response.status_code == 302
    assert response.location == "/r/falun/admin/anvandare"
    user = user_by_email("ny.person@exempel.se")
    assert user is not None and user.name == "Ny Person" and user.active
    assert user.password_set_at is None
    membership = membership_of(user, council)
    assert (membership.role, membership.active) == (Role.COORDINATOR, True)
    assert "Ny Person" in admin_client.get("/r/falun/admin/anvandare").text
    assert login(app.test_client(), user).status_code == 200  # refused: no password yet


def test_inviting_an_account_from_another_council_adds_nothing_until_they_accept(
    app, admin_client, make_user, make_council, council
):
    other = make_council()
    existing = make_user(Role.COORDINATOR, other, name="Anna Berg")
    old_hash = existing.password_hash
    users_before = count(User)

    response = admin_client.post(
        "/r/falun/admin/anvandare/ny",
        data=new_member(email=existing.email.upper(), name="Helt Annat Namn"),
    )

    assert response.status_code == 302
    assert count(User) == users_before
    existing = fresh(existing)
    assert existing.name == "Anna Berg"
    assert existing.password_hash == old_hash
    assert [m.council_id for m in existing.memberships] == [other.id]
    assert "Anna Berg" not in admin_client.get("/r/falun/admin/anvandare").text
    person = logged_in(app, existing)
    assert person.get("/r/falun/").status_code == 404


def test_adding_someone_already_in_the_council_is_refused_and_keeps_the_input(
    admin_client, make_user, council
):
    member = make_user(Role.MEMBER, council)
    memberships_before = count(Membership)

    response = admin_client.post(
        "/r/falun/admin/anvandare/ny",
        data=new_member(email=member.email, name="Skrivet Namn", role="coordinator"),
    )

    assert response.status_code == 400
    assert "Personen är redan medlem i rådet." in response.text
    assert f'value="{member.email}"' in response.text
    assert 'value="Skrivet Namn"' in response.text
    assert count(Membership) == memberships_before
    assert membership_of(member, council).role is Role.MEMBER


@pytest.mark.parametrize(
    ("fields", "message", "kept"),
    [
        ({"email": "inte-en-adress"}, "Ange en giltig e-postadress.", 'value="inte-en-adress"'),
        ({"email": ""}, "Ange en e-postadress.", 'value="Ny Person"'),
        ({"name": ""}, "Ange ett namn.", 'value="ny.person@exempel.se"'),
        ({"name": "   "}, "Ange ett namn.", 'value="ny.person@exempel.se"'),
    ],
)
def test_invalid_member_input_gets_a_swedish_field_error_and_keeps_the_input(
    admin_client, fields, message, kept
):
    users_before, memberships_before = count(User), count(Membership)

    response = admin_client.post("/r/falun/admin/anvandare/ny", data={**new_member(), **fields})

    assert response.status_code == 400
    assert message in response.text
    assert kept in response.text
    assert (count(User), count(Membership)) == (users_before, memberships_before)


def test_unknown_role_is_refused_in_swedish(admin_client, make_user, council):
    member = make_user(Role.MEMBER, council)
    membership = membership_of(member, council)
    before = snapshot()

    added = admin_client.post("/r/falun/admin/anvandare/ny", data=new_member(role="superadmin"))
    changed = admin_client.post(
        f"/r/falun/admin/medlemskap/{membership.id}", data={"role": "superadmin", "active": "y"}
    )

    for response in (added, changed):
        assert response.status_code == 400
        assert "Inte ett giltigt val" in response.text
    assert snapshot() == before


# --- changing memberships -----------------------------------------------------------------


def test_admin_changes_a_role(app, admin_client, make_user, council):
    member = make_user(Role.MEMBER, council)
    membership = membership_of(member, council)
    person = logged_in(app, member)
    assert person.get("/r/falun/admin/partner").status_code == 403

    response = save_membership(admin_client, membership, role="coordinator", active="y")

    assert response.status_code == 302
    assert response.location == "/r/falun/admin/anvandare"
    membership = fresh(membership)
    assert (membership.role, membership.active) == (Role.COORDINATOR, True)
    assert person.get("/r/falun/admin/partner").status_code == 200


def test_membership_form_shows_the_current_role_and_state(admin_client, make_user, council):
    police = make_user(Role.POLICE, council, name="Polly Polis")
    membership = membership_of(police, council)

    page = admin_client.get(f"/r/falun/admin/medlemskap/{membership.id}")

    assert page.status_code == 200
    assert "Polly Polis" in page.text
    assert '<option selected value="police">' in page.text
    assert 'checked id="active"' in page.text


def test_deactivated_member_no_longer_reaches_the_council_but_still_their_other_one(
    app, admin_client, make_user, make_council, council
):
    other = make_council(slug="mora")
    member = make_user(Role.MEMBER, council)
    db.session.add(Membership(user=member, council=other, role=Role.MEMBER))
    db.session.commit()
    person = logged_in(app, member)
    assert person.get("/r/falun/").status_code == 200
    membership = membership_of(member, council)

    response = save_membership(admin_client, membership, role="member")

    assert response.status_code == 302
    assert fresh(membership).active is False
    assert fresh(member).active is True  # the other membership is still active
    assert person.get("/r/falun/").status_code == 404
    assert person.get("/r/mora/").status_code == 200
    assert "Inaktiverad" in admin_client.get("/r/falun/admin/anvandare").text


def test_deactivated_member_without_other_membership_can_no_longer_log_in(
    app, admin_client, make_user, council
):
    member = make_user(Role.MEMBER, council)
    person = logged_in(app, member)
    membership = membership_of(member, council)

    response = save_membership(admin_client, membership, role="member")

    assert response.status_code == 302
    assert fresh(member).active is False
    # the running session ends ...
    assert "/logga-in" in person.get("/r/falun/").location
    # ... and a new login is refused
    refused = login(app.test_client(), member)
    assert refused.status_code == 200
    assert "Fel e-postadress eller lösenord." in refused.text


def test_reactivation_restores_access(app, admin_client, make_user, council):
    member = make_user(Role.MEMBER, council)
    membership = membership_of(member, council)
    assert save_membership(admin_client, membership, role="member").status_code == 302
    assert login(app.test_client(), member).status_code == 200  # refused while inactive

    response = save_membership(admin_client, membership, role="member", active="y")

    assert response.status_code == 302
    assert fresh(membership).active is True
    assert fresh(member).active is True
    person = logged_in(app, member)
    assert person.get("/r/falun/").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"role": "coordinator", "active": "y"},
        {"role": "member", "active": "y"},
        {"role": "admin"},  # deactivate
        {"role": "police"},
    ],
    ids=["demote-coordinator", "demote-member", "deactivate", "both"],
)
def test_admin_cannot_demote_or_deactivate_themself(admin_client, admin, council, data):
    own = membership_of(admin, council)

    response = save_membership(admin_client, own, **data)

    assert response.status_code == 400
    assert "Du kan inte ta bort din egen administratörsbehörighet." in response.text
    own = fresh(own)
    assert (own.role, own.active) == (Role.ADMIN, True)
    assert fresh(admin).active is True
    assert admin_client.get("/r/falun/admin/anvandare").status_code == 200


def test_admin_may_save_their_own_membership_unchanged(admin_client, admin, council):
    own = membership_of(admin, council)

    response = save_membership(admin_client, own, role="admin", active="y")

    assert response.status_code == 302
    assert fresh(own).role is Role.ADMIN


def test_admin_may_demote_another_admin(admin_client, make_user, council):
    second = make_user(Role.ADMIN, council)
    membership = membership_of(second, council)

    response = save_membership(admin_client, membership, role="member", active="y")

    assert response.status_code == 302
    assert fresh(membership).role is Role.MEMBER


# --- partner organisations ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_coordinator_and_admin_create_and_rename_a_partner(app, make_user, council, role):
    person = logged_in(app, make_user(role, council))

    created = person.post(
        "/r/falun/admin/partner/ny", data={"name": "  Räddningstjänsten  ", "kind": "Myndighet"}
    )

    assert created.status_code == 302
    assert created.location == "/r/falun/admin/partner"
    partner = db.session.scalars(
        sa.select(PartnerOrganisation).where(PartnerOrganisation.council_id == council.id)
    ).one()
    assert (partner.name, partner.kind) == ("Räddningstjänsten", "Myndighet")
    assert "Räddningstjänsten" in person.get("/r/falun/admin/partner").text

    url = f"/r/falun/admin/partner/{partner.id}"
    renamed = person.post(
        url,
        data={
            "name": "Räddningstjänsten Dala Mitt",
            "kind": "Kommunalförbund",
            "version": hidden_value(person.get(url).text, "version"),
        },
    )

    assert renamed.status_code == 302
    partner = fresh(partner)
    assert (partner.name, partner.kind) == ("Räddningstjänsten Dala Mitt", "Kommunalförbund")
    assert count(PartnerOrganisation) == 1


def test_partner_form_shows_the_current_values(admin_client, make_partner, council):
    partner = make_partner(council, name="Jernhusen")

    page = admin_client.get(f"/r/falun/admin/partner/{partner.id}")

    assert page.status_code == 200
    assert 'value="Jernhusen"' in page.text
    assert 'value="Myndighet"' in page.text


@pytest.mark.parametrize("typed", ["Jernhusen", "JERNHUSEN", "jernhusen", " Jernhusen "])
def test_duplicate_partner_name_in_the_council_is_refused_and_keeps_the_input(
    admin_client, make_partner, council, typed
):
    make_partner(council, name="Jernhusen")

    response = admin_client.post(
        "/r/falun/admin/partner/ny", data={"name": typed, "kind": "Fastighetsbolag"}
    )

    assert response.status_code == 200
    assert "Det finns redan en organisation med det namnet." in response.text
    assert 'value="Fastighetsbolag"' in response.text
    assert f'value="{typed}"' in response.text
    assert partner_names(council) == ["Jernhusen"]


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("Ängelholms bostäder", "Ängelholms bostäder"),
        ("Ängelholms bostäder", "ÄNGELHOLMS BOSTÄDER"),
        ("ÖREBROBOSTÄDER", "Örebrobostäder"),
    ],
)
def test_duplicate_partner_name_with_swedish_letters_is_refused(
    admin_client, make_partner, council, existing, typed
):
    """Case-insensitive also for Å, Ä and Ö, which SQL lower() may not fold."""
    make_partner(council, name=existing)

    response = admin_client.post(
        "/r/falun/admin/partner/ny", data={"name": typed, "kind": "Fastighetsbolag"}
    )

    assert response.status_code == 200
    assert "Det finns redan en organisation med det namnet." in response.text
    assert partner_names(council) == [existing]


def test_renaming_a_partner_to_another_partners_name_is_refused(
    admin_client, make_partner, council
):
    make_partner(council, name="Jernhusen")
    other = make_partner(council, name="Dalatrafik")

    response = admin_client.post(
        f"/r/falun/admin/partner/{other.id}",
        data={"name": "jernhusen", "kind": "", "version": str(other.version)},
    )

    assert response.status_code == 200
    assert "Det finns redan en organisation med det namnet." in response.text
    assert 'value="jernhusen"' in response.text
    assert partner_names(council) == ["Dalatrafik", "Jernhusen"]


def test_a_partner_may_change_the_case_of_its_own_name(admin_client, make_partner, council):
    partner = make_partner(council, name="jernhusen")

    response = admin_client.post(
        f"/r/falun/admin/partner/{partner.id}",
        data={"name": "Jernhusen", "kind": "", "version": str(partner.version)},
    )

    assert response.status_code == 302
    assert partner_names(council) == ["Jernhusen"]


def test_the_same_partner_name_is_allowed_in_another_council(
    admin_client, make_partner, make_council, council
):
    other = make_council()
    make_partner(other, name="Jernhusen")

    response = admin_client.post(
        "/r/falun/admin/partner/ny", data={"name": "Jernhusen", "kind": ""}
    )

    assert response.status_code == 302
    assert partner_names(council) == ["Jernhusen"]
    assert partner_names(other) == ["Jernhusen"]


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_partner_name_is_a_swedish_field_error(admin_client, council, name):
    response = admin_client.post(
        "/r/falun/admin/partner/ny", data={"name": name, "kind": "Förening"}
    )

    assert response.status_code == 200
    assert "Ange organisationens namn." in response.text
    assert 'value="Förening"' in response.text
    assert count(PartnerOrganisation) == 0


def test_too_long_partner_name_is_a_swedish_field_error(admin_client, council):
    response = admin_client.post("/r/falun/admin/partner/ny", data={"name": "x" * 201})

    assert response.status_code == 200
    assert "Namnet får vara högst 200 tecken." in response.text
    assert count(PartnerOrganisation) == 0


# --- refusals -----------------------------------------------------------------------------


def admin_requests(membership_id: int, partner_id: int, slug: str = "falun"):
    """Every administration page, as (method, url, form data)."""
    base = f"/r/{slug}/admin"
    member_data = new_member(email="inkraktare@exempel.se")
    role_data = {"role": "admin", "active": "y"}
    partner_data = {"name": "Inkräktarna", "kind": ""}
    return [
        ("GET", f"{base}/anvandare", None),
        ("GET", f"{base}/anvandare/ny", None),
        ("POST", f"{base}/anvandare/ny", member_data),
        ("GET", f"{base}/medlemskap/{membership_id}", None),
        ("POST", f"{base}/medlemskap/{membership_id}", role_data),
        ("GET", f"{base}/partner", None),
        ("GET", f"{base}/partner/ny", None),
        ("POST", f"{base}/partner/ny", partner_data),
        ("GET", f"{base}/partner/{partner_id}", None),
        ("POST", f"{base}/partner/{partner_id}", partner_data),
    ]


def snapshot() -> tuple:
    """Everything an administration request could change."""
    db.session.expire_all()
    return (
        db.session.execute(
            sa.select(User.id, User.email, User.name, User.password_hash, User.active).order_by(
                User.id
            )
        ).all(),
        db.session.execute(
            sa.select(Membership.id, Membership.role, Membership.active).order_by(Membership.id)
        ).all(),
        db.session.execute(
            sa.select(PartnerOrganisation.id, PartnerOrganisation.name).order_by(
                PartnerOrganisation.id
            )
        ).all(),
    )


@pytest.mark.parametrize("role", [Role.MEMBER, Role.POLICE])
def test_member_and_police_are_refused_every_admin_page(
    app, make_user, make_partner, council, admin, role
):
    person = make_user(role, council)
    client = logged_in(app, person)
    target = membership_of(admin, council)
    partner = make_partner(council, name="Jernhusen")
    before = snapshot()

    for method, url, data in admin_requests(target.id, partner.id):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)
        assert "Åtkomst nekad" in response.text

    assert snapshot() == before


def test_coordinator_is_refused_the_user_administration(
    app, make_user, make_partner, council, admin
):
    client = logged_in(app, make_user(Role.COORDINATOR, council))
    target = membership_of(admin, council)
    partner = make_partner(council)
    before = snapshot()

    for method, url, data in admin_requests(target.id, partner.id):
        response = client.open(url, method=method, data=data)
        if "/partner" in url:  # partners are the coordinator's business
            # (a change posted without the version its form carries is a conflict: 409)
            assert response.status_code in (200, 302, 409), (method, url)
            assert "Åtkomst nekad" not in response.text
        else:
            assert response.status_code == 403, (method, url)

    after = snapshot()
    assert after[:2] == before[:2]  # users and memberships untouched


def test_anonymous_visitor_is_sent_to_the_login_page(client, make_partner, council, admin):
    target = membership_of(admin, council)
    partner = make_partner(council)
    before = snapshot()

    for method, url, data in admin_requests(target.id, partner.id):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url)
        assert "/logga-in" in response.location

    assert snapshot() == before


def test_admin_of_another_council_guessing_ids_under_their_own_slug_gets_404(
    app, make_user, make_council, make_partner, council, admin
):
    other = make_council(slug="mora")
    intruder = logged_in(app, make_user(Role.ADMIN, other))
    target = membership_of(admin, council)
    partner = make_partner(council, name="Jernhusen")
    before = snapshot()

    guesses = [
        ("GET", f"/r/mora/admin/medlemskap/{target.id}", None),
        ("POST", f"/r/mora/admin/medlemskap/{target.id}", {"role": "member"}),
        ("GET", f"/r/mora/admin/partner/{partner.id}", None),
        ("POST", f"/r/mora/admin/partner/{partner.id}", {"name": "Kapad", "kind": ""}),
    ]
    for method, url, data in guesses:
        response = intruder.open(url, method=method, data=data)
        assert response.status_code == 404, (method, url)
        assert "Sidan finns inte" in response.text

    assert snapshot() == before
    # the intruder's own council still works, so the 404s are not a broken login
    assert intruder.get("/r/mora/admin/anvandare").status_code == 200


def test_other_councils_admin_gets_404_on_every_page_of_this_council(
    app, make_user, make_council, make_partner, council, admin
):
    other = make_council(slug="mora")
    intruder = logged_in(app, make_user(Role.ADMIN, other))
    target = membership_of(admin, council)
    partner = make_partner(council)
    before = snapshot()

    for method, url, data in admin_requests(target.id, partner.id, slug="falun"):
        assert intruder.open(url, method=method, data=data).status_code == 404, (method, url)

    assert snapshot() == before


# --- CSRF ---------------------------------------------------------------------------------


def csrf_login(client, user) -> None:
    token = hidden_value(client.get("/logga-in").text, "csrf_token")
    response = client.post(
        "/logga-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_admin_posts_without_csrf_token_are_refused_in_swedish(
    csrf_app, make_user, make_partner, council, admin
):
    client = csrf_app.test_client()
    csrf_login(client, admin)
    member = make_user(Role.MEMBER, council)
    target = membership_of(member, council)
    partner = make_partner(council, name="Jernhusen")
    before = snapshot()

    posts = [
        ("/r/falun/admin/anvandare/ny", new_member()),
        (f"/r/falun/admin/medlemskap/{target.id}", {"role": "admin", "active": "y"}),
        ("/r/falun/admin/partner/ny", {"name": "Utan token", "kind": ""}),
        (f"/r/falun/admin/partner/{partner.id}", {"name": "Omdöpt", "kind": ""}),
    ]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "Felaktig begäran" in response.text
        assert snapshot() == before

    # with the token from the form the same request goes through
    token = hidden_value(client.get("/r/falun/admin/partner/ny").text, "csrf_token")
    response = client.post(
        "/r/falun/admin/partner/ny", data={"name": "Med token", "kind": "", "csrf_token": token}
    )
    assert response.status_code == 302
    assert partner_names(council) == ["Jernhusen", "Med token"]


def test_a_forged_csrf_token_is_refused(csrf_app, council, admin):
    client = csrf_app.test_client()
    csrf_login(client, admin)

    response = client.post(
        "/r/falun/admin/partner/ny",
        data={"name": "Förfalskad", "kind": "", "csrf_token": "inte-en-riktig-token"},
    )

    assert response.status_code == 400
    assert "Felaktig begäran" in response.text
    assert partner_names(council) == []
