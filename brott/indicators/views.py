"""Indicators of a measure: definitions, values, charts."""

from flask import Blueprint

bp = Blueprint("indicators", __name__, url_prefix="/r/<slug>")
