"""Configuration layers, the generated secret key and the database URL.

These tests build a bare Flask app on a temporary instance folder, so they need no database.
"""

import os
import re
import stat
from pathlib import Path

import pytest
from flask import Flask

from brott.config import DEFAULTS, SECRET_KEY_FILE, load_config, normalise_database_url

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """No DATABASE_URL or BROTT_* variable from the shell (or CI) leaks into a test."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for key in list(os.environ):
        if key.startswith("BROTT_"):
            monkeypatch.delenv(key)


@pytest.fixture
def instance(tmp_path) -> Path:
    return tmp_path / "instance"


def bare_app(instance: Path) -> Flask:
    return Flask(__name__, instance_path=str(instance), instance_relative_config=True)


def configured(instance: Path, test_config: dict | None = None) -> Flask:
    app = bare_app(instance)
    load_config(app, test_config)
    return app


def write_instance_config(instance: Path, text: str) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(text)


def test_defaults_apply_when_nothing_else_is_set(instance):
    app = configured(instance)

    assert app.config["STALE_MEASURE_DAYS"] == DEFAULTS["STALE_MEASURE_DAYS"] == 30
    assert app.config["BABEL_DEFAULT_LOCALE"] == "sv"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Stockholm"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_instance_config_file_overrides_the_defaults(instance):
    write_instance_config(instance, 'STALE_MEASURE_DAYS = 50\nBABEL_DEFAULT_TIMEZONE = "UTC"\n')

    app = configured(instance)

    assert app.config["STALE_MEASURE_DAYS"] == 50
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "UTC"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "sv"  # untouched defaults stay


def test_brott_environment_overrides_the_instance_config(instance, monkeypatch):
    write_instance_config(instance, 'STALE_MEASURE_DAYS = 50\nBABEL_DEFAULT_TIMEZONE = "UTC"\n')
    monkeypatch.setenv("BROTT_STALE_MEASURE_DAYS", "25")  # parsed as JSON: an int

    app = configured(instance)

    assert app.config["STALE_MEASURE_DAYS"] == 25
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "UTC"  # set only in the file


def test_test_config_overrides_every_other_layer(instance, monkeypatch):
    write_instance_config(instance, "STALE_MEASURE_DAYS = 50\n")
    monkeypatch.setenv("BROTT_STALE_MEASURE_DAYS", "25")
    monkeypatch.setenv("DATABASE_URL", "postgres://env@db/brott")

    app = configured(
        instance, {"STALE_MEASURE_DAYS": 7, "SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"}
    )

    assert app.config["STALE_MEASURE_DAYS"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///:memory:"


def test_without_any_database_setting_the_database_is_sqlite_in_the_instance_folder(instance):
    app = configured(instance)

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'brott.sqlite'}"
    assert instance.is_dir()  # created on first start


def test_database_url_postgres_scheme_is_pointed_at_psycopg(instance, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://brott:hemligt@db.example:5432/brott")

    app = configured(instance)

    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://brott:hemligt@db.example:5432/brott"
    )


def test_database_url_in_brott_environment_and_instance_file_is_normalised_too(
    instance, monkeypatch
):
    write_instance_config(instance, 'SQLALCHEMY_DATABASE_URI = "postgres://fil@db/brott"\n')
    assert configured(instance).config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://fil@db/brott"
    )

    monkeypatch.setenv("BROTT_SQLALCHEMY_DATABASE_URI", "postgresql://env@db/brott")
    assert configured(instance).config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://env@db/brott"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/brott.sqlite", "sqlite:////tmp/brott.sqlite"),
    ],
)
def test_normalise_database_url(given, expected):
    assert normalise_database_url(given) == expected


def test_secret_key_is_generated_into_the_instance_folder_readable_only_by_the_owner(instance):
    app = configured(instance)

    key_file = instance / SECRET_KEY_FILE
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 32


def test_secret_key_stays_the_same_on_the_second_start(instance):
    first = configured(instance).config["SECRET_KEY"]
    second = configured(instance).config["SECRET_KEY"]

    assert first == second


def test_secret_keys_of_two_installations_differ(tmp_path):
    one = configured(tmp_path / "one").config["SECRET_KEY"]
    other = configured(tmp_path / "other").config["SECRET_KEY"]

    assert one != other


def test_a_configured_secret_key_wins_and_no_key_file_is_written(instance, monkeypatch):
    monkeypatch.setenv("BROTT_SECRET_KEY", "från-miljön")

    app = configured(instance)

    assert app.config["SECRET_KEY"] == "från-miljön"
    assert not (instance / SECRET_KEY_FILE).exists()


def test_gitignore_keeps_the_instance_folder_and_its_secret_key_out_of_git():
    lines = [
        line.strip()
        for line in (REPO_ROOT / ".gitignore").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]

    assert "instance/*" in lines
    # the only file re-included may be the placeholder that keeps the folder in git
    reincluded = [line for line in lines if line.startswith("!instance")]
    assert reincluded == ["!instance/.gitkeep"]


def test_every_setting_is_in_the_readmes_table():
    """The README's table of settings names every default of brott/config.py, so that an
    operator finds each in one place."""
    readme = (REPO_ROOT / "README.md").read_text()
    table = readme.split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    listed = set(re.findall(r"`BROTT_([A-Z0-9_]+)`", table))
    missing = sorted(set(DEFAULTS) - listed)
    assert not missing, f"add these settings to the README's table: {missing}"
    unknown = sorted(listed - set(DEFAULTS) - {"SECRET_KEY"})
    assert not unknown, f"the README's table names settings the app does not read: {unknown}"
