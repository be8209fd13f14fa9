"""The robbery-prevention certification register."""

from flask import Blueprint

bp = Blueprint("certification", __name__, url_prefix="/r/<slug>")
