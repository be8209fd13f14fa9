"""What is linked to a measure from elsewhere: the EST decisions and other actions that
serve it, and the situation notes filed under it — so a measure's page shows both ways."""

from dataclasses import dataclass

from sqlalchemy.orm import joinedload

from brott import policy
from brott.extensions import db
from brott.models import Action, ActionOrigin, Measure, SituationNote
from brott.policy import Viewer

MAX_NOTES = 50


@dataclass
class MeasureLinks:
    decisions: list[Action]  # decided at an EST meeting
    other_actions: list[Action]  # entered by hand (later: safety walks, residents' reports)
    notes: list[SituationNote]  # newest first, at most MAX_NOTES; only what the viewer may read
    more_notes: bool


def links_of(viewer: Viewer, measure: Measure) -> MeasureLinks:
    """The measure's linked actions and notes, as far as the viewer may read them; three
    statements whatever their number."""
    actions = list(
        db.session.scalars(
            policy.scoped(viewer, Action)
            .where(Action.measure_id == measure.id)
            .options(joinedload(Action.owner), joinedload(Action.meeting), joinedload(Action.place))
            .order_by(Action.due_date, Action.id)
        )
    )
    notes = list(
        db.session.scalars(
            policy.scoped(viewer, SituationNote)
            .where(SituationNote.measure_id == measure.id)
            .options(joinedload(SituationNote.place), joinedload(SituationNote.category))
            .order_by(SituationNote.observed_from.desc(), SituationNote.id.desc())
            .limit(MAX_NOTES + 1)
        )
    )
    return MeasureLinks(
        decisions=[a for a in actions if a.origin is ActionOrigin.MEETING],
        other_actions=[a for a in actions if a.origin is not ActionOrigin.MEETING],
        notes=notes[:MAX_NOTES],
        more_notes=len(notes) > MAX_NOTES,
    )
