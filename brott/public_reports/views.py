"""Public pages of residents' reports (STUB: the public work fills it in)."""

from flask import Blueprint

bp = Blueprint("public_reports", __name__, url_prefix="/r/<slug>")
