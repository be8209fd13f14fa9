"""Where a measure's working tool lives, and who may open it (see MeasureTool)."""

from flask import url_for

from brott import policy
from brott.council_scope import current_viewer
from brott.models import Measure, MeasureTool
from brott.policy import Permission

# the tool's page and the permission that opens it; the activity log is the measure's own
TOOL_PAGES: dict[MeasureTool, tuple[str, Permission]] = {
    MeasureTool.ACTIVITY_LOG: ("activity.index", Permission.VIEW_MEASURES),
    MeasureTool.CERTIFICATION: ("certification.index", Permission.VIEW_REGISTER),
    MeasureTool.SAFETY_WALKS: ("walks.index", Permission.VIEW_WALKS),
    MeasureTool.CAMERAS: ("cameras.index", Permission.VIEW_CAMERAS),
}


def tool_url(measure: Measure) -> str | None:
    """The page of the measure's tool, or None when it has none or the viewer may not open
    it."""
    if measure.tool is None:
        return None
    endpoint, permission = TOOL_PAGES[measure.tool]
    if not policy.can(current_viewer(), permission):
        return None
    if measure.tool is MeasureTool.ACTIVITY_LOG:
        return url_for(endpoint, measure_id=measure.id)
    return url_for(endpoint)
