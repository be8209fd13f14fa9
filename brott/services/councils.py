"""Councils: the tenants of an installation."""

import re

from flask_babel import gettext as _

from brott.errors import DomainError
from brott.extensions import db
from brott.models import Council
from brott.services.places import add_default_categories
from brott.services.report_setup import seed_defaults

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def find_council(slug: str) -> Council | None:
    """The council with this slug, if any."""
    return db.session.scalars(db.select(Council).where(Council.slug == slug)).one_or_none()


def create_council(slug: str, name: str, municipality: str) -> Council:
    """A new council with the default note and report categories; its slug appears in every
    URL of the council."""
    if not SLUG_PATTERN.match(slug):
        raise DomainError(
            _("The short name may only contain a–z, 0–9 and hyphens (3–60 characters)."),
            field="slug",
        )
    if find_council(slug) is not None:
        raise DomainError(_("There is already a council with that short name."), field="slug")
    council = Council(slug=slug, name=name.strip(), municipality=municipality.strip())
    db.session.add(council)
    db.session.flush()
    add_default_categories(council.id)
    seed_defaults(council.id)
    return council
