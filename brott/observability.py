"""Logging and request ids: every failure can be found in the server log from the page.

Each request gets an id: the incoming `X-Request-ID` when a proxy sent a short, safe one,
else a new random one. It is sent back in the `X-Request-ID` response header, shown on the
500 and 503 pages ("Error code: …", so a user can quote it) and added to every log record
written during the request by `RequestIdFilter`.

At app creation the root logger gets one stderr handler, in a format that carries the id,
unless the host already configured handlers (a `--log-config` of the WSGI server, pytest's
log capture): then the host's configuration is kept as it is.

Every request writes one line to the `brott.request` log at INFO, in key=value form:
method, route (the URL rule, never the path itself, which may hold a token), status,
duration in milliseconds and the number of SQL statements it ran.
"""

import logging
import re
import secrets
import time
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "X-Request-ID"
# what a proxy's id looks like (a UUID, nginx's $request_id): nothing that could forge a log
# line or carry markup
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
NO_REQUEST = "-"


requests_log = logging.getLogger("brott.request")


def init_app(app: Flask) -> None:
    """Set up the log (unless the host has), the request id of every response and the
    request's line in the log."""
    configure_logging(app.config["LOG_LEVEL"])

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()
        g.request_queries = 0

    @app.after_request
    def send_request_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        log_request(response.status_code)
        return response


def log_request(status: int) -> None:
    """The request's one line: method, route, status, duration and statements."""
    started = g.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    rule = request.url_rule.rule if request.url_rule is not None else "-"
    requests_log.info(
        "method=%s route=%s status=%d duration_ms=%.1f queries=%d",
        request.method,
        rule,
        status,
        duration,
        g.get("request_queries", 0),
    )


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(*_args: Any) -> None:
    """Count the statement for the request running it, if any."""
    if has_request_context() and "request_queries" in g:
        g.request_queries += 1


def request_id() -> str:
    """The id of the current request ("-" outside one), chosen on first use."""
    if not has_request_context():
        return NO_REQUEST
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if SAFE_ID.fullmatch(incoming) else secrets.token_hex(8)
    return str(g.request_id)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to each record (for the format); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


def configure_logging(level: str | int) -> None:
    """One stderr handler on the root logger, unless the host configured logging already."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()  # stderr, which every WSGI server keeps as its log
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
