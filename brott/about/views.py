"""The accessibility statement the law on accessible digital public services asks for
(lag 2018:1937): how accessible the service is, what is known not to be, how to tell us,
and where to turn if the answer does not satisfy."""

from flask import Blueprint, current_app, render_template

bp = Blueprint("about", __name__)

ASSESSED_ON = "2026-11-27"  # the last assessment: axe in the browser tests, keyboard by hand


@bp.route("/tillganglighet")
def accessibility():
    return render_template(
        "about/accessibility.html",
        contact=current_app.config["ACCESSIBILITY_CONTACT"],
        assessed_on=ASSESSED_ON,
    )
