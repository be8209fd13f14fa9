"""Open311 API keys: the keys report apps and case systems post requests with.

A key is random (256 bits), shown once when it is made and stored only as its SHA-256
hash, so neither the database nor a page can show it again; a lost key is revoked and a
new one made. Whether a POST needs a key at all is the council's setting
(`ReportSettings.open311_key_required`); a key that is given must always be a valid one.
"""

import hashlib
import secrets
from datetime import datetime

from flask_babel import gettext as _

from brott.errors import DomainError
from brott.extensions import db
from brott.models.reports import Open311Key

KEY_BYTES = 32
NAME_MAX = 120
RAW_MAX = 200  # longer than any key we hand out: not looked up at all


def key_hash(raw: str) -> str:
    """The stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create(council_id: int, name: str, now: datetime) -> tuple[Open311Key, str]:
    """A new key for the client `name`: the stored row and the key itself, to show once."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DomainError(_("Say whose client the key is for."), "name")
    if len(cleaned) > NAME_MAX:
        raise DomainError(_("Write the name in at most %(n)d characters.", n=NAME_MAX), "name")
    raw = secrets.token_urlsafe(KEY_BYTES)
    key = Open311Key(council_id=council_id, name=cleaned, key_hash=key_hash(raw), created_at=now)
    db.session.add(key)
    db.session.flush()
    return key, raw


def verify(council_id: int, raw: str) -> Open311Key | None:
    """The council's unrevoked key `raw` is, or None."""
    if not raw or len(raw) > RAW_MAX:
        return None
    return db.session.scalar(
        db.select(Open311Key).where(
            Open311Key.council_id == council_id,
            Open311Key.key_hash == key_hash(raw),
            Open311Key.revoked_at.is_(None),
        )
    )


def revoke(key: Open311Key, now: datetime) -> bool:
    """Revoke the key from now on; False when it already was."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = now
    db.session.flush()
    return True


def keys(council_id: int) -> list[Open311Key]:
    """The council's keys, the newest first, revoked ones included."""
    return list(
        db.session.scalars(
            db.select(Open311Key)
            .where(Open311Key.council_id == council_id)
            .order_by(Open311Key.created_at.desc(), Open311Key.id.desc())
        )
    )
