"""`/healthz` (the process answers) and `/readyz` (it can serve: database, schema and
scheduler), for probes: no login, no cookie, nothing cached, nothing told but yes or no."""

from flask import Blueprint, Response, jsonify
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from brott import clock, errors
from brott.services import readiness

bp = Blueprint("health", __name__)
PROBES = ("/healthz", "/readyz")


@bp.record_once
def _answer_errors_in_json(state: BlueprintSetupState) -> None:
    for path in PROBES:
        errors.answer_errors_under(state.app, path, _error)


@bp.get("/healthz")
def live() -> Response:
    """Alive: answered without asking the database anything."""
    return _json({"status": "ok"}, 200)


@bp.get("/readyz")
def ready() -> Response:
    checks = readiness.checks(clock.now())
    if readiness.is_ready(checks):
        return _json({"status": "ready", "checks": checks}, 200)
    return _json({"status": "not ready", "checks": checks}, 503)


def _error(error: HTTPException) -> Response:
    return _json({"status": "error"}, error.code or 500)


def _json(body: dict, status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
