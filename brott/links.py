"""Absolute links to the app that work outside a request too (e-mails, calendar feeds)."""

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """`PUBLIC_URL` + the path of `endpoint`, with or without a request."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    adapter = current_app.url_map.bind("localhost")
    return base + adapter.build(endpoint, values)
