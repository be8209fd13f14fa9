"""Camera sites and guard deployments."""

from flask import Blueprint

bp = Blueprint("cameras", __name__, url_prefix="/r/<slug>")
