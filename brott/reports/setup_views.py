"""The council's report service set up by coordinators (STUB: the setup work fills it in)."""

from flask import Blueprint

bp = Blueprint("report_setup", __name__, url_prefix="/r/<slug>/rapporter/installningar")
