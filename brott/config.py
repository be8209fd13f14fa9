"""Configuration: defaults, then instance/config.py, then BROTT_* environment, then tests."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": None,  # filled with SQLite in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # BROTT_PRODUCTION=true: served over HTTPS only; see PRODUCTION_SETTINGS below
    "PRODUCTION": False,
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # a larger request body is refused with 413
    "MAX_FORM_MEMORY_SIZE": 500 * 1024,  # so is a larger form text (a whole urlencoded form)
    # views marked @accepts_uploads (brott/uploads) take bodies up to this: a photo, a file
    "UPLOAD_MAX_BYTES": 16 * 1024 * 1024,
    "PHOTO_DIR": None,  # None: photos are kept in instance/photos/
    "REGISTER_IMPORT_DIR": None,  # None: import previews wait in instance/register_imports/
    "PHOTO_MAX_BYTES": 12 * 1024 * 1024,  # of one uploaded photo
    "PHOTO_MAX_PIXELS": 40_000_000,  # width × height of one uploaded photo (decoded)
    "PHOTO_MAX_SIDE": 2048,  # a stored photo is scaled down to at most this many pixels
    "LOG_LEVEL": "INFO",  # of the stderr log set up when the host configured none
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "PUBLIC_URL": "http://127.0.0.1:5000",  # base of links in e-mails and calendar feeds
    "MAIL_SERVER": None,  # None: e-mails are written to instance/outbox/ as .eml files
    "MAIL_PORT": 25,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_USE_TLS": False,
    "MAIL_SENDER": "Brott <noreply@brott.local>",
    "SCHEDULER_ENABLED": False,  # run the reminder scheduler inside this process
    # a scheduler process should be running (`flask scheduler`): its silent heartbeat is
    # then a warning on the outbox page and makes /readyz answer 503
    "SCHEDULER_EXPECTED": False,
    "SCHEDULER_HEARTBEAT_MAX_MINUTES": 5,  # a heartbeat older than this counts as silent
    "STALE_MEASURE_DAYS": 30,  # a measure without update this long is in the owner's digest
    "DIGEST_LOCAL_TIME": "07:00",
    "ACTION_LINK_MAX_AGE_DAYS": 7,
    # a login ends after this long without a request; PERMANENT_SESSION_LIFETIME follows it
    # (auth/session_guard). "Remember me" keeps a login on that device across idle ends
    "SESSION_IDLE_MINUTES": 60,
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    # failed logins within the window after which further attempts wait (services/throttle)
    "LOGIN_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_FAILURES_PER_ADDRESS": 30,
    "LOGIN_FAILURE_WINDOW_MINUTES": 15,
    # residents' reports and safety marks (web form and Open311 POST) per client address and
    # window (services/rate_limit), counted like login failures: in Redis or the database
    "REPORTS_PER_ADDRESS": 10,
    "REPORTS_PER_KEY": 500,  # an Open311 client with a valid key posts for many residents
    "REPORT_WINDOW_MINUTES": 60,
    # the map of the public report page: any XYZ tile server; the page works without it
    "MAP_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "MAP_TILE_ATTRIBUTION": "© OpenStreetMap contributors",
    # how many reverse proxies in front of the app set X-Forwarded-For and -Proto (e.g. 1
    # behind one nginx): then the client's address, not the proxy's, is what rate limits and
    # login throttling count. 0 (the default) trusts no such header: a client could forge it
    "PROXY_HOPS": 0,
    # where the accessibility statement (/tillganglighet) asks people to write; empty: the
    # statement tells them to contact their municipality
    "ACCESSIBILITY_CONTACT": "",
    "REDIS_URL": None,  # e.g. redis://127.0.0.1:6379/0: login failures counted there, not in SQL
    "REDIS_KEY_PREFIX": "brott:",  # keeps installations that share one Redis apart
}

# what the one production switch turns on (HSTS is sent by brott/security.py); cookies are
# HttpOnly and SameSite=Lax in every mode (DEFAULTS)
PRODUCTION_SETTINGS = {
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
}

SECRET_KEY_FILE = "secret_key"


def load_config(app: Flask, test_config: dict | None) -> None:
    """Apply the configuration layers in order; later layers win."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BROTT")
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    if test_config:
        app.config.from_mapping(test_config)
    app.config["PRODUCTION"] = _switch("PRODUCTION", app.config["PRODUCTION"])
    app.config["SCHEDULER_EXPECTED"] = _switch(
        "SCHEDULER_EXPECTED", app.config["SCHEDULER_EXPECTED"]
    )
    if app.config["PRODUCTION"]:
        app.config.update(PRODUCTION_SETTINGS)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_file = Path(app.instance_path) / "brott.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # a writer waits this long for another process's lock (web + scheduler on one file)
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"timeout": 15})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _switch(name: str, value: object) -> bool:
    """An on/off setting, also when written as text ("False" must not read as true)."""
    if isinstance(value, str):
        words = {"true": True, "1": True, "yes": True, "on": True}
        words |= {"false": False, "0": False, "no": False, "off": False, "": False}
        if value.strip().lower() not in words:
            raise ValueError(f"{name} must be true or false, not {value!r}")
        return words[value.strip().lower()]
    return bool(value)


def normalise_database_url(url: str) -> str:
    """Point plain postgres:// URLs at the psycopg 3 driver that the project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret_key(instance: Path) -> str:
    """Read the generated secret key, creating it on first start (never committed)."""
    key_file = instance / SECRET_KEY_FILE
    if not key_file.exists():
        # created with owner-only permissions from the first byte; O_EXCL loses no race
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()
