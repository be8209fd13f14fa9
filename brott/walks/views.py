"""Safety walks, findings and action plans."""

from flask import Blueprint

bp = Blueprint("walks", __name__, url_prefix="/r/<slug>")
