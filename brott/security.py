"""Response headers and cookie settings that protect every page (see SECURITY.md)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the security headers."""
