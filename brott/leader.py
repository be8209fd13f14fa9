"""Which scheduler process runs the jobs: one elected leader, the others on standby.

Any number of processes may run the scheduler. Each asks, without waiting, for a lock that
only one can hold: on PostgreSQL a session advisory lock held on a connection of its own, on
SQLite an exclusive `flock` on a file beside the database. A lock dies with its holder (the
server ends a dead process's session, the kernel closes its files), so a standby's next try
takes over. The outbox's claim keeps each reminder sent once whoever leads.
"""

import fcntl
import logging
import os
from contextlib import suppress
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# the advisory lock's key: "brott" in ASCII; advisory locks are per database, so
# installations sharing one server do not meet
ADVISORY_LOCK_KEY = 0x62726F7474
LOCK_FILE_SUFFIX = ".scheduler-lock"


class _Lock(Protocol):
    def try_acquire(self) -> bool: ...
    def held(self) -> bool: ...
    def release(self) -> None: ...


class AdvisoryLock:
    """A PostgreSQL session advisory lock on a dedicated connection, kept open while held."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    def try_acquire(self) -> bool:
        try:
            if self.connection is None:
                self.connection = self.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                )
            query = sa.text("SELECT pg_try_advisory_lock(:key)")
            return bool(self.connection.execute(query, {"key": ADVISORY_LOCK_KEY}).scalar())
        except sa.exc.SQLAlchemyError as error:
            log.warning("could not ask for the scheduler lock: %s", type(error).__name__)
            self.release()
            return False

    def held(self) -> bool:
        """Whether the lock's connection still answers (a lost connection lost the lock)."""
        if self.connection is None:
            return False
        try:
            self.connection.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            self.release()
            return False

    def release(self) -> None:
        if self.connection is not None:
            with suppress(Exception):
                self.connection.close()  # ends the session, and the lock with it
            self.connection = None


class FileLock:
    """An exclusive, non-blocking `flock` on a file, kept open while held."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        if self.fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another process holds it
            os.close(fd)
            return False
        self.fd = fd
        return True

    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the file description frees the lock
            self.fd = None


class Leadership:
    """This process's standing in the election; `try_acquire` never blocks."""

    def __init__(self, lock: _Lock) -> None:
        self.lock = lock
        self.is_leader = False

    @classmethod
    def for_app(cls, app: Flask) -> "Leadership":
        """The lock that fits the app's database."""
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "postgresql":
            options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
            engine = sa.create_engine(
                url, poolclass=NullPool, connect_args=options.get("connect_args", {})
            )
            return cls(AdvisoryLock(engine))
        return cls(FileLock(lock_file(app)))

    def try_acquire(self) -> bool:
        """Lead if possible: keep the lock if still held, else ask for it once."""
        if self.is_leader and not self.lock.held():
            log.warning("the scheduler lost its lock; it stops running the jobs")
            self.is_leader = False
        if not self.is_leader and self.lock.try_acquire():
            log.info("this scheduler process now runs the jobs (pid %s)", os.getpid())
            self.is_leader = True
        return self.is_leader

    def release(self) -> None:
        self.lock.release()
        self.is_leader = False


def lock_file(app: Flask) -> Path:
    """The lock file beside the SQLite database, or in the instance folder."""
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).with_name(Path(database).name + LOCK_FILE_SUFFIX)
    return Path(app.instance_path) / ("brott" + LOCK_FILE_SUFFIX)
