"""Backups: `flask --app app backup` and `restore`, round trip on both databases row by row."""

import io
import json
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import stamp

from brott import create_app
from brott.extensions import db
from brott.models import Council, MeasureStatus, Role
from brott.services import backup as backup_service
from brott.services import measures as measure_service
from brott.services.photos import photo_dir

from .conftest import empty_database, test_config
from .report_objects import report_objects

NOW = datetime(2025, 3, 14, 9, 30, 5, tzinfo=UTC)
OTHER_KIND = {"sqlite": "postgresql", "postgresql": "sqlite"}


@pytest.fixture
def source(app, monkeypatch, tmp_path) -> Iterator[Flask]:
    """The app's database stamped at the migrations' head (as a migrated installation is),
    with photos in a folder of this test's own."""
    monkeypatch.setitem(app.config, "PHOTO_DIR", str(tmp_path / "photos"))
    stamp()
    yield app
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE alembic_version"))


@pytest.fixture
def filled(source, make_council, make_user, make_measure, make_note, make_partner):
    """Varied rows: Swedish letters and emoji, NULLs, timestamps, a journal, a report photo."""
    council = make_council(slug="borlange", name="Brå i Borlänge – trygghet för alla 🚓")
    coordinator = make_user(Role.COORDINATOR, council, name="Åsa Öberg-Älvström 😀")
    member = make_user(Role.MEMBER, council, name="Örjan Ärlig")
    make_user(Role.POLICE, council, active=False)
    partner = make_partner(council, name="Fastighetsägarna i Tjärna 🏠")
    measure = make_measure(
        council, owners=[coordinator, member], partners=[partner], title="Trygg väg hem 🌙"
    )
    measure_service.record_update(
        measure,
        coordinator,
        MeasureStatus.ONGOING,
        40,
        "Belysning på plats – hälften klar 🎉",
        NOW,
        measure.version,
    )
    make_measure(council, title="Äldre insats", status=MeasureStatus.DONE, progress=100)
    make_note(council, author=member, text="Oro vid ån på kvällarna ☔", created_at=NOW)
    make_note(council, author=None, created_at=NOW - timedelta(days=40))
    db.session.commit()
    report_objects(council, {"coordinator": coordinator})
    return council


def rows_of(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every table of the database (reflected, not taken from the models), rows in key order."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(
                    table.select().order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for name, table in metadata.tables.items()
        }


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()} if folder.is_dir() else {}


@contextmanager
def empty_target(backend: str, tmp_path: Path) -> Iterator[Flask]:
    """A second app on a new, empty database of the same kind, with an empty photo folder."""
    folder = tmp_path / "target"
    folder.mkdir()
    with empty_database(backend, folder) as url:
        target = create_app(test_config(url, PHOTO_DIR=str(folder / "photos")))
        try:
            yield target
        finally:
            with target.app_context():
                db.session.remove()
                db.engine.dispose()


def rewritten(archive: Path, replaced: dict[str, bytes]) -> Path:
    """The archive with some members' contents replaced, as someone tampering would."""
    with tarfile.open(archive) as old:
        members = {m.name: old.extractfile(m).read() for m in old.getmembers()}  # type: ignore[union-attr]
    members.update(replaced)
    with tarfile.open(archive, "w:gz") as new:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return archive


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as opened:
        return json.loads(opened.extractfile("manifest.json").read())  # type: ignore[union-attr]


def assert_refused(result, message: str) -> None:
    """A one-line error, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert message in result.output
    assert "Traceback" not in result.output


# --- the round trip -----------------------------------------------------------------------


def test_backup_then_restore_into_an_empty_database_keeps_every_row_and_photo(
    source, filled, backend, tmp_path
):
    source_rows = rows_of(db.engine)
    source_photos = files_of(photo_dir())
    revision = backup_service.current_revision(db.engine)
    archive = tmp_path / "brott.tar.gz"

    result = source.test_cli_runner().invoke(args=["backup", "--output", str(archive)])
    assert result.exit_code == 0, result.output
    assert "1 photo files" in result.output and "personal data" in result.output

    with empty_target(backend, tmp_path) as target, target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
        assert result.exit_code == 0, result.output
        restored_rows = rows_of(db.engine)
        restored_photos = files_of(photo_dir())
        assert backup_service.current_revision(db.engine) == revision
        # the counters came along too: the next row gets a new key
        db.session.add(Council(slug="falun", name="Brå i Falun", municipality="Falun"))
        db.session.commit()

    assert filled.name.endswith("🚓")
    assert revision is not None
    assert source_rows["measure_update"] and source_rows["photo"], "the fill wrote nothing"
    assert source_rows.keys() == restored_rows.keys()
    for table, rows in source_rows.items():
        assert restored_rows[table] == rows, table
    assert len(source_photos) == 1
    assert restored_photos == source_photos
    manifest = manifest_of(archive)
    assert manifest["database"] == backend
    assert manifest["alembic_revision"] == revision
    assert manifest["file_count"] == 1
    assert "password" not in json.dumps(manifest).lower()


def test_backup_goes_to_the_instance_folder_by_default(source, tmp_path, monkeypatch):
    monkeypatch.setattr(source, "instance_path", str(tmp_path))
    source.config["NOW"] = lambda: NOW
    try:
        result = source.test_cli_runner().invoke(args=["backup"])
    finally:
        source.config.pop("NOW")

    assert result.exit_code == 0, result.output
    written = tmp_path / "backups" / "brott-backup-20250314T093005Z.tar.gz"
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [written.name]
    assert written.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    assert manifest_of(written)["file_count"] == 0


# --- refusals -----------------------------------------------------------------------------


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(source, filled, tmp_path):
    archive = tmp_path / "brott.tar.gz"
    backup_service.create_backup(archive, NOW)
    rows, photos = rows_of(db.engine), files_of(photo_dir())

    with pytest.raises(backup_service.BackupError, match="the database is not empty"):
        backup_service.restore_backup(archive)
    result = source.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])

    assert_refused(result, "restore only into an empty database")
    assert rows_of(db.engine) == rows
    assert files_of(photo_dir()) == photos


def test_restore_refuses_to_overwrite_photos_and_then_leaves_the_database_empty(
    source, filled, backend, tmp_path
):
    archive = tmp_path / "brott.tar.gz"
    backup_service.create_backup(archive, NOW)
    (name,) = manifest_of(archive)["files"]

    with empty_target(backend, tmp_path) as target, target.app_context():
        photo_dir().mkdir()
        (photo_dir() / name).write_bytes(b"a photo of its own")
        with pytest.raises(backup_service.BackupError, match="a restore overwrites none"):
            backup_service.restore_backup(archive)
        assert sa.inspect(db.engine).get_table_names() == []
        assert (photo_dir() / name).read_bytes() == b"a photo of its own"


def test_restore_refuses_a_tampered_archive(source, backend, tmp_path):
    archive = tmp_path / "brott.tar.gz"
    backup_service.create_backup(archive, NOW)
    snapshot = backup_service.SNAPSHOTS[backend]
    rewritten(archive, {snapshot: b"not the database that was backed up"})

    with empty_target(backend, tmp_path) as target, target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
        assert_refused(result, f"the backup's {snapshot} does not match its checksum")
        assert sa.inspect(db.engine).get_table_names() == []


def test_restore_refuses_a_backup_of_the_other_kind_of_database(source, backend, tmp_path):
    archive = tmp_path / "brott.tar.gz"
    backup_service.create_backup(archive, NOW)
    manifest = manifest_of(archive) | {"database": OTHER_KIND[backend]}
    rewritten(archive, {"manifest.json": json.dumps(manifest).encode()})

    with empty_target(backend, tmp_path) as target, target.app_context():
        with pytest.raises(backup_service.BackupError, match=f"holds a {OTHER_KIND[backend]}"):
            backup_service.restore_backup(archive)
        assert sa.inspect(db.engine).get_table_names() == []


@pytest.mark.parametrize(
    "content, message",
    [(None, "no backup file at"), (b"plain text", "is not a backup archive")],
)
def test_restore_refuses_a_missing_or_foreign_file(source, tmp_path, content, message):
    path = tmp_path / "brott.tar.gz"
    if content is not None:
        path.write_bytes(content)

    result = source.test_cli_runner().invoke(args=["restore", str(path), "--yes"])

    assert_refused(result, message)


def test_restore_asks_before_it_starts(source, tmp_path):
    result = source.test_cli_runner().invoke(args=["restore", str(tmp_path / "x")], input="n\n")

    assert result.exit_code == 1
    assert "Aborted" in result.output


# --- a failing backup ---------------------------------------------------------------------


def test_a_failed_backup_leaves_no_file_behind(source, filled, tmp_path, monkeypatch):
    folder = tmp_path / "backups"

    def broken(archive, name, path):
        raise OSError("No space left on device")

    monkeypatch.setattr(backup_service, "_add_file", broken)
    result = source.test_cli_runner().invoke(
        args=["backup", "--output", str(folder / "brott.tar.gz")]
    )

    assert_refused(result, "No space left on device")
    assert list(folder.iterdir()) == []


@pytest.mark.only_on("postgresql")  # pg_dump
@pytest.mark.parametrize("trouble", ["missing", "older"])
def test_backup_says_clearly_when_the_postgresql_tools_do_not_fit(
    source, backend, tmp_path, monkeypatch, trouble
):
    if trouble == "missing":
        monkeypatch.setenv("PATH", str(tmp_path))
        expected = "pg_dump was not found on PATH"
    else:
        monkeypatch.setattr(backup_service, "_client_major", lambda tool: 9)
        expected = "pg_dump is version 9 but the server is PostgreSQL"

    with pytest.raises(backup_service.BackupError, match=expected):
        backup_service.create_backup(tmp_path / "brott.tar.gz", NOW)
    assert not list(tmp_path.glob("*.gz*"))


@pytest.mark.only_on("postgresql")  # pg_dump
def test_the_database_password_goes_to_pg_dump_only_through_its_environment(
    source, backend, tmp_path, monkeypatch
):
    secret = "hemligt-lösen-4711"  # the test server trusts every login, whatever the password
    url = sa.make_url(source.config["SQLALCHEMY_DATABASE_URI"]).set(password=secret)
    guarded = create_app(test_config(url.render_as_string(hide_password=False)))
    calls = []
    real_run = backup_service.subprocess.run

    def spy(args, **kwargs):
        calls.append((args, kwargs["env"].get("PGPASSWORD")))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup_service.subprocess, "run", spy)
    archive = tmp_path / "brott.tar.gz"
    with guarded.app_context():
        result = guarded.test_cli_runner().invoke(args=["backup", "--output", str(archive)])
        db.engine.dispose()

    assert result.exit_code == 0, result.output
    dump = [(args, password) for args, password in calls if "--format=custom" in args]
    assert len(dump) == 1 and dump[0][1] == secret
    assert secret not in " ".join(dump[0][0])
    assert secret not in result.output
    assert secret not in json.dumps(manifest_of(archive))
