"""Passwords and invitations: set by the person through e-mailed, single-use links."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
