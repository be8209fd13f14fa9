"""Staff accounts of a responsible body: an administrator gives a person the role "staff of a
responsible body" together with the body, whose reports are then all they see and handle."""

import pytest
import sqlalchemy as sa

from brott import clock, policy
from brott.extensions import db
from brott.models import Invitation, Membership, Role, User
from brott.models.reports import BodyKind
from brott.policy import Permission
from brott.services import invitations
from brott.services import report_setup as report_bodies

from .conftest import hidden_value, logged_in
from .report_objects import setup as setup  # a fixture

BASE = "/r/borlange/admin"


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council, name="Ada Admin")


@pytest.fixture
def admin_client(app, admin):
    return logged_in(app, admin)


def membership_of(email: str) -> Membership | None:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Membership).join(Membership.user).where(User.email == email)
    ).one_or_none()


def invite(client, **changes):
    data = {"email": "lampor@energi.example", "name": "Lena Lampa", "role": "body_staff"}
    return client.post(f"{BASE}/anvandare/ny", data={**data, **changes})


def test_a_body_staff_member_is_invited_with_their_body_and_sees_its_reports(
    admin_client, setup, council
):
    body = setup["body"]
    form = admin_client.get(f"{BASE}/anvandare/ny").text
    assert f'<option value="{body.id}">Energibolaget</option>' in form
    assert invite(admin_client, body_id=str(body.id)).status_code == 302
    membership = membership_of("lampor@energi.example")
    assert membership.role is Role.BODY_STAFF and membership.body_id == body.id
    # the list of users names the body beside the role
    listing = admin_client.get(f"{BASE}/anvandare").text
    assert (
        "Energibolaget" in listing.split("<td>lampor@energi.example</td>", 1)[1].split("</tr>")[0]
    )
    # their viewer is tied to the body: its reports, nobody else's
    viewer = policy.Viewer.member(membership)
    assert viewer.body_id == body.id
    assert policy.can(viewer, Permission.VIEW_REPORTS)
    assert not policy.can(viewer, Permission.VIEW_ALL_REPORTS)


def test_a_body_staff_member_without_a_body_is_refused_and_nothing_is_saved(
    admin_client, setup, make_council
):
    answer = invite(admin_client)
    assert answer.status_code == 400
    assert 'id="body_id-error"' in answer.text and 'value="lampor@energi.example"' in answer.text
    elsewhere = report_bodies.add_body(
        make_council().id,
        report_bodies.BodyData("Moras elnät", BodyKind.PARTNER, "el@mora.example"),
    )
    db.session.commit()
    refused = invite(admin_client, body_id=str(elsewhere.id))
    assert refused.status_code == 400 and 'id="body_id-error"' in refused.text
    assert membership_of("lampor@energi.example") is None
    db.session.rollback()
    assert (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.name == "Lena Lampa")) == 0
    )


def test_other_roles_get_no_body_and_leaving_body_staff_clears_it(admin_client, setup, member):
    body = setup["body"]
    assert invite(admin_client, role="member", body_id=str(body.id)).status_code == 302
    assert membership_of("lampor@energi.example").body_id is None
    # a member made body staff needs a body, and gets it
    target = membership_of(member.email)
    url = f"{BASE}/medlemskap/{target.id}"
    version = hidden_value(admin_client.get(url).text, "version")
    refused = admin_client.post(url, data={"role": "body_staff", "active": "y", "version": version})
    assert refused.status_code == 400 and 'id="body_id-error"' in refused.text
    assert membership_of(member.email).role is Role.MEMBER
    made = {"role": "body_staff", "body_id": str(body.id), "active": "y", "version": version}
    assert admin_client.post(url, data=made).status_code == 302
    assert membership_of(member.email).body_id == body.id
    # and back to a council member: the body is left behind
    page = admin_client.get(url).text
    assert f'<option selected value="{body.id}">' in page
    back = {"role": "member", "body_id": str(body.id), "active": "y"}
    answer = admin_client.post(url, data={**back, "version": hidden_value(page, "version")})
    assert answer.status_code == 302
    changed = membership_of(member.email)
    assert changed.role is Role.MEMBER and changed.body_id is None


def test_an_invitation_to_an_account_carries_the_body_to_the_membership(
    app, admin, setup, council, make_user, make_council
):
    elsewhere = make_user(Role.MEMBER, make_council(), email="lampor@energi.example")
    body = setup["body"]
    with app.test_request_context():
        acting = policy.viewer_for(admin, council.slug)
        invitations.invite(
            acting, elsewhere.email, "", Role.BODY_STAFF, clock.now(), body_id=body.id
        )
        db.session.commit()
        invitation = db.session.scalars(sa.select(Invitation)).one()
        assert invitation.body_id == body.id
        link = invitations.InvitationLink(invitation, elsewhere, "token-id-1")
        membership = invitations.accept(link, clock.now())
        db.session.commit()
    assert membership.role is Role.BODY_STAFF and membership.body_id == body.id
    assert policy.works_for_a_body(Role.BODY_STAFF)
    assert not any(policy.works_for_a_body(role) for role in Role if role is not Role.BODY_STAFF)
