"""Staff pages of residents' reports (STUB: the queue work fills it in)."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/r/<slug>")
