"""Open311 GeoReport v2 (STUB: the Open311 work fills it in)."""

from flask import Blueprint

bp = Blueprint("open311", __name__, url_prefix="/r/<slug>/open311")
