"""Backups: one archive holding a consistent database snapshot, the photos and a manifest.

The snapshot is taken while the app keeps writing: SQLite's online backup API copies the file
under one read lock, `pg_dump` reads one transaction snapshot. The photos are the uploaded
files (PHOTO_DIR); temporary import previews are not kept. The manifest names the format,
the kind of database, the Alembic revision and a SHA-256 of every member, so a restore can
refuse an archive that does not fit or was changed.

An archive is written to a temporary file and renamed into place, so a failed backup leaves
no half archive. A restore goes only into an empty database: it never merges or overwrites.
The password of the database URL is handed to the PostgreSQL tools through PGPASSWORD, never
on a command line, in the manifest or in a message.
"""

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 — runs pg_dump/pg_restore with argument lists, no shell
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from brott.errors import DomainError
from brott.extensions import db
from brott.services.photos import photo_dir

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SNAPSHOTS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
PHOTOS = "photos"
BACKUP_FOLDER = "backups"
VERSION_TABLE = "alembic_version"
CHUNK = 1024 * 1024


class BackupError(DomainError):
    """A backup or restore that cannot go ahead; the message says why, in one line."""


@dataclass(frozen=True)
class Manifest:
    """What an archive holds, written into it as manifest.json."""

    database: str  # "sqlite" or "postgresql"
    alembic_revision: str | None
    snapshot_sha256: str
    created_at: str  # ISO 8601, UTC
    files: dict[str, str] = field(default_factory=dict)  # photo name → SHA-256
    format_version: int = FORMAT_VERSION

    @property
    def file_count(self) -> int:
        return len(self.files)

    def to_json(self) -> bytes:
        data = asdict(self) | {"file_count": self.file_count}
        return json.dumps(data, indent=2, sort_keys=True).encode()


def default_path(instance_path: Path, now: datetime) -> Path:
    """Where a backup goes unless told otherwise: instance/backups/, named by its UTC time."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return instance_path / BACKUP_FOLDER / f"brott-backup-{stamp}.tar.gz"


def create_backup(output: Path, now: datetime) -> Manifest:
    """Write one archive at `output`: the database snapshot, the photos and the manifest."""
    engine = db.engine
    kind = database_kind(engine)
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    revision = current_revision(engine)
    with tempfile.TemporaryDirectory(prefix="brott-backup-") as work:
        snapshot = Path(work) / SNAPSHOTS[kind]
        if kind == "sqlite":
            _sqlite_snapshot(engine, snapshot)
        else:
            _pg_dump(engine, snapshot)
        manifest = _write_archive(output, snapshot, kind, revision, now)
    log.info("backup written to %s (%d photo files)", output, manifest.file_count)
    return manifest


def restore_backup(archive_path: Path) -> Manifest:
    """Restore an archive into the configured database, which must be empty, and its photos
    into the photo folder; every check is made before anything is written."""
    engine = db.engine
    kind = database_kind(engine)
    with (
        tempfile.TemporaryDirectory(prefix="brott-restore-") as work,
        _opened(archive_path) as archive,
    ):
        manifest = read_manifest(archive)
        if manifest.database != kind:
            raise BackupError(
                f"the backup holds a {manifest.database} database, "
                f"but the configured database is {kind}"
            )
        snapshot = Path(work) / SNAPSHOTS[kind]
        _extract(archive, SNAPSHOTS[kind], snapshot, manifest.snapshot_sha256)
        staged = Path(work) / PHOTOS
        for name, checksum in manifest.files.items():
            _extract(archive, f"{PHOTOS}/{name}", staged / name, checksum)
        _check_empty(engine)
        photos = photo_dir()
        taken = sorted(name for name in manifest.files if (photos / name).exists())
        if taken:
            raise BackupError(
                f"the photo folder {photos} already holds {len(taken)} of the backup's "
                f"files (e.g. {taken[0]}); a restore overwrites none"
            )
        if kind == "sqlite":
            _sqlite_restore(engine, snapshot)
        else:
            _pg_restore(engine.url, snapshot)
        photos.mkdir(parents=True, exist_ok=True)
        for name in manifest.files:
            shutil.move(staged / name, photos / name)
    restored = current_revision(engine)
    if restored != manifest.alembic_revision:
        raise BackupError(
            f"restored, but the database is at revision {restored}, "
            f"not {manifest.alembic_revision} as the backup says"
        )
    log.info("backup %s restored (%d photo files)", archive_path, manifest.file_count)
    return manifest


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    """The manifest of an open archive, checked to be one this version can read."""
    try:
        data = json.loads(_member_bytes(archive, MANIFEST))
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"the backup has format version {data.get('format_version')}; "
                f"this version of the app reads {FORMAT_VERSION}"
            )
        return Manifest(
            database=str(data["database"]),
            alembic_revision=data["alembic_revision"],
            snapshot_sha256=str(data["snapshot_sha256"]),
            created_at=str(data["created_at"]),
            files={_safe_name(name): str(sha) for name, sha in data["files"].items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"the backup's manifest is unreadable: {error}") from error


def database_kind(engine: Engine) -> str:
    """ "sqlite" or "postgresql": the databases a backup knows how to snapshot."""
    kind = engine.dialect.name
    if kind not in SNAPSHOTS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {kind}")
    return kind


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at; None when it was never migrated."""
    # read directly rather than through Alembic's MigrationContext, which logs two lines
    # of its own on every call into the operator's shell
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


# --- the archive ----------------------------------------------------------------------------


def _write_archive(
    output: Path, snapshot: Path, kind: str, revision: str | None, now: datetime
) -> Manifest:
    """Write to a temporary file beside `output`, then rename: never a half archive."""
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(handle, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                snapshot_sha = _add_file(archive, snapshot.name, snapshot)
                files = {}
                folder = photo_dir()
                for path in sorted(folder.iterdir()) if folder.is_dir() else []:
                    if path.is_file() and not path.is_symlink():
                        try:
                            files[path.name] = _add_file(archive, f"{PHOTOS}/{path.name}", path)
                        except FileNotFoundError:
                            continue  # its photo was deleted meanwhile
                manifest = Manifest(
                    database=kind,
                    alembic_revision=revision,
                    snapshot_sha256=snapshot_sha,
                    created_at=now.astimezone(UTC).isoformat(),
                    files=files,
                )
                _add_bytes(archive, MANIFEST, manifest.to_json())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> str:
    """Add a file under `name`, streamed; its SHA-256."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
        info = tarfile.TarInfo(name)
        info.size = source.tell()
        info.mode = 0o600
        source.seek(0)
        archive.addfile(info, source)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


@contextmanager
def _opened(path: Path) -> Iterator[tarfile.TarFile]:
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        # opened here, closed by the `with` below: only opening errors mean "not an archive"
        archive = tarfile.open(path, mode="r:gz")  # noqa: SIM115
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} is not a backup archive: {error}") from error
    with archive:
        yield archive


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    with _member(archive, name) as source:
        return source.read()


@contextmanager
def _member(archive: tarfile.TarFile, name: str) -> Iterator[IO[bytes]]:
    """One member of the archive, open for reading; a BackupError when missing or damaged."""
    try:
        member = archive.getmember(name)
        extracted = archive.extractfile(member) if member.isfile() else None
        if extracted is None:
            raise KeyError(name)
    except KeyError:
        raise BackupError(f"the backup has no {name}") from None
    try:
        with extracted:
            yield extracted
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"the backup is damaged: {error}") from error


def _extract(archive: tarfile.TarFile, name: str, target: Path, checksum: str) -> None:
    """Write one member to `target`, streamed, checked against the manifest's checksum."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with _member(archive, name) as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != checksum:
        target.unlink()
        raise BackupError(f"the backup's {name} does not match its checksum: it was changed")


def _safe_name(name: str) -> str:
    """A photo's name as the manifest gives it: one plain file name, never a path."""
    if not name or PurePosixPath(name).name != name or name in (".", ".."):
        raise ValueError(f"bad photo name {name!r}")
    return name


def _check_empty(engine: Engine) -> None:
    present = set(sa.inspect(engine).get_table_names())
    ours = sorted(present & (set(db.metadata.tables) | {VERSION_TABLE}))
    if ours:
        raise BackupError(
            f"the database is not empty: it holds {len(ours)} of the app's tables "
            f"(e.g. {ours[0]}); restore only into an empty database"
        )


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_snapshot(engine: Engine, target: Path) -> None:
    """Copy the live database with the online backup API: consistent while others write."""
    live = engine.raw_connection()
    try:
        with closing(sqlite3.connect(target)) as copy:
            live.driver_connection.backup(copy)  # type: ignore[union-attr]
    finally:
        live.close()


def _sqlite_restore(engine: Engine, snapshot: Path) -> None:
    """Copy the snapshot into the configured database file, again with the backup API."""
    target = engine.raw_connection()
    try:
        with closing(sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)) as source:
            source.backup(target.driver_connection)  # type: ignore[arg-type]
    finally:
        target.close()
    engine.dispose()  # pooled connections open a fresh view of the restored file


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_dump(engine: Engine, target: Path) -> None:
    tool = _tool("pg_dump")
    client = _client_major(tool)
    with engine.connect() as connection:
        server = int(connection.execute(sa.text("SHOW server_version_num")).scalar_one()) // 10000
    if server > client:
        raise BackupError(
            f"pg_dump is version {client} but the server is PostgreSQL {server}: "
            f"install the client tools of version {server} or newer"
        )
    args = ["--format=custom", "--no-owner", f"--file={target}", _dbname(engine.url)]
    _run([tool, *args], engine.url)


def _pg_restore(url: URL, snapshot: Path) -> None:
    tool = _tool("pg_restore")
    args = ["--no-owner", "--exit-on-error", "--single-transaction", _dbname(url)]
    _run([tool, *args, str(snapshot)], url)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client tools")
    return found


def _client_major(tool: str) -> int:
    output = _run([tool, "--version"], None)
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"cannot tell the version of {tool} from {output.strip()!r}")
    return int(match.group(1))


def _dbname(url: URL) -> str:
    """The --dbname option: a libpq connection string without the password."""
    from psycopg.conninfo import make_conninfo

    parts: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "dbname": url.database,
    }
    parts |= {key: value for key, value in url.query.items() if isinstance(value, str)}
    return "--dbname=" + make_conninfo(**{k: v for k, v in parts.items() if v is not None})


def _run(args: list[str], url: URL | None) -> str:
    """Run a PostgreSQL tool; its output, or a BackupError with its first error line."""
    env = dict(os.environ)
    if url is not None and url.password:
        env["PGPASSWORD"] = str(url.password)
    name = Path(args[0]).name
    try:
        done = subprocess.run(  # nosec B603 — an argument list without a shell
            args, env=env, capture_output=True, text=True, check=False, timeout=6 * 3600
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupError(f"{name} could not run: {error}") from error
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{name} failed: {lines[0] if lines else f'exit {done.returncode}'}")
    return done.stdout
