"""The register of camera surveillance and the yearly review of running sites.

The law asks the council to keep a register of all its camera surveillance and to keep that
documentation five years after the surveillance ends; the register is shown and exported as
CSV for the supervisory authority. A running site is reviewed yearly and the coordinators are
reminded when a review falls due.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from brott import clock, policy
from brott.extensions import db
from brott.links import external_url
from brott.models import Council, User
from brott.models.cameras import CameraSite
from brott.policy import Permission, Viewer
from brott.services import outbox, tables
from brott.services.cameras import RUNNING
from brott.services.emails import compose
from brott.services.users import active_members

REVIEW_NOTICE = timedelta(days=30)  # coordinators are reminded this long before a review
CAMERA_REVIEW = "camera_review"  # the outbox kind of the review reminder


# --- the register of camera surveillance -------------------------------------------------------


def register(viewer: Viewer, today: date) -> list[CameraSite]:
    """The council's camera surveillance: every installed site, running or ended no more
    than five years ago (its documentation is kept that long)."""
    stmt = (
        policy.scoped(viewer, CameraSite)
        .where(CameraSite.installed_on.is_not(None))
        .options(joinedload(CameraSite.place))
        .order_by(CameraSite.installed_on, CameraSite.id)
    )
    return [
        site
        for site in db.session.scalars(stmt)
        if site.keep_until is None or site.keep_until >= today
    ]


REGISTER_COLUMNS = (
    _l("Camera site"),
    _l("Place"),
    _l("Stage"),
    _l("Cameras"),
    _l("What they cover"),
    _l("Recording hours"),
    _l("Storage time (days)"),
    _l("Responsible"),
    _l("Start date"),
    _l("End date"),
    _l("Keep until"),
    _l("Permit case number"),
)


def register_csv(sites: Iterable[CameraSite]) -> bytes:
    """The register as the supervisory authority may ask for it: CSV, UTF-8 with a BOM and
    semicolons, as Swedish spreadsheets open it (services/tables)."""
    rows = [
        (
            site.title,
            site.place.name,
            site.stage_label,
            site.camera_count,
            " ".join(site.coverage.split()),
            site.recording_hours,
            site.storage_days,
            site.operator,
            site.installed_on,
            site.ended_on,
            site.keep_until,
            site.permit_case_number,
        )
        for site in sites
    ]
    return tables.to_csv(tables.Table(_("Camera register"), REGISTER_COLUMNS, rows))


# --- the yearly review --------------------------------------------------------------------------


def review_key(site: CameraSite, user: User) -> str:
    assert site.next_review_on is not None
    return f"camera_review:{site.id}:{site.next_review_on:%Y%m%d}:{user.id}"


def plan_camera_reviews(now: datetime) -> int:
    """Queue one reminder per coordinator of the council for each running site whose yearly
    review falls due within 30 days (or is overdue): once per site, review date and person.
    Commits nothing; returns how many were queued."""
    today = now.astimezone(clock.STOCKHOLM).date()
    sites = db.session.scalars(
        db.select(CameraSite)
        .where(
            CameraSite.stage.in_(RUNNING),
            CameraSite.next_review_on.is_not(None),
            CameraSite.next_review_on <= today + REVIEW_NOTICE,
        )
        .options(joinedload(CameraSite.place))
        .order_by(CameraSite.id)
    ).all()
    # the council's coordinators: the role that gets the council's reminders
    roles = policy.roles_with(Permission.RECEIVE_MEETING_REMINDERS)
    queued = 0
    for site in sites:
        council = db.session.get(Council, site.council_id)
        assert council is not None
        link = external_url("cameras.show", slug=council.slug, site_id=site.id)
        for user in active_members(site.council_id, roles):
            email = compose(
                CAMERA_REVIEW,
                user.locale,
                partial(_review_subject, site.title),
                site=site,
                council=council,
                link=link,
            )
            row = outbox.enqueue(
                review_key(site, user),
                CAMERA_REVIEW,
                user,
                email,
                due_at=now,
                now=now,
                council_id=site.council_id,
                link=link,
            )
            queued += row is not None
    return queued


def _review_subject(title: str) -> str:
    return _("Yearly review of camera site: %(title)s", title=title)
