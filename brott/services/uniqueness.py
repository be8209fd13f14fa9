"""Unique names under concurrent writes: the database's unique constraint has the last word.

A service checks a name before writing it, to answer with a message; two people saving the
same name at the same moment both pass that check, and the second write then breaks the
constraint. `unless_taken` turns that lost race into the same message instead of a server
error.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from brott.errors import DomainError
from brott.extensions import db


@contextmanager
def unless_taken(message: str, field: str = "name") -> Iterator[None]:
    """Flush the changes made in the block inside a SAVEPOINT; a unique violation undoes only
    them and raises DomainError(message, field).

    Make the block the last write of its unit of work: on SQLite a SAVEPOINT opened before
    any other write is the outermost transaction, and releasing it commits.
    """
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as error:
        raise DomainError(message, field=field) from error
