"""The shared view of an EST meeting: exactly what the police see, to project or print.

At the joint meeting the page on the wall is read by the police and the municipality alike,
so it shows what every invitee may read and nothing only the municipality may: shared
situation notes, never internal ones. The viewer it is compiled for is the person asking,
with their permissions narrowed to those every role invited to the meetings has
(`shared_viewer`); `policy.scoped` then leaves out internal notes as it does for the police.
On the coordinator's own page the same comparison marks what the police would not see
(`marked_sections`), so it is labelled on screen and left out of the print.
"""

from dataclasses import dataclass
from functools import reduce

from brott import policy
from brott.policy import Permission, Viewer
from brott.services.situation import CountRow, Item, Section, SituationPicture


def _shared_permissions() -> frozenset[Permission]:
    """What every role that takes part in the meetings may do."""
    roles = policy.roles_with(Permission.VIEW_MEETINGS)
    return reduce(frozenset.intersection, (policy.role_permissions(r) for r in roles))


@dataclass(frozen=True)
class SharedViewer(Viewer):
    """A viewer narrowed to what every invitee of the meetings may read."""

    @property
    def permissions(self) -> frozenset[Permission]:
        return super().permissions & _shared_permissions()


def shared_viewer(viewer: Viewer) -> Viewer:
    """`viewer` as the shared view sees: internal notes and all else only the municipality
    may read left out, whatever the viewer's own role."""
    return SharedViewer(viewer.kind, viewer.council, viewer.membership)


@dataclass
class MarkedSection:
    """A section of the coordinator's picture with what the police would not see marked:
    each item with whether it is internal, and the counts as the police would see them when
    the coordinator's include internal notes."""

    section: Section
    items: list[tuple[Item, bool]]
    shared_counts: list[CountRow] | None  # None: the counts are the same for the police


def marked_sections(picture: SituationPicture, shared: SituationPicture) -> list[MarkedSection]:
    """Compare the viewer's picture with the shared one, section by section."""
    marked = []
    for own, theirs in zip(picture.sections, shared.sections, strict=True):
        seen = {_key(item) for item in theirs.items}
        items = [(item, _key(item) not in seen) for item in own.items]
        counts = None if own.counts == theirs.counts else theirs.counts
        marked.append(MarkedSection(own, items, counts))
    return marked


def _key(item: Item) -> tuple:
    return (item.when, item.title, item.text, item.link_measure_id)
